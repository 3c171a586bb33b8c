import {
  ProtocolError,
  ProtocolErrorCode,
  ResourceTemplate,
  type GetPromptResult,
  type McpServer,
  type ReadResourceResult,
} from "@modelcontextprotocol/server";
import type { Services } from "../composition/services";
import { toAppError, type AppError } from "../domain/core/app-error";
import type { Identity } from "../domain/core/records";
import { prompts } from "./prompts";
import { getPrompt } from "./prompts/prompt";
import { resources } from "./resources";
import { RESOURCE_SCHEME, resourceUri } from "./resources/resource";

/** At most this many projects are listed as resources (a reader can still name any project it may read). */
const LISTED_PROJECTS = 25;

/**
 * The prompts and resources beside the tools: the seed's workflows as slash commands, and each project's
 * context, decisions and open errors as @-mentionable documents. Failures become JSON-RPC errors with our
 * message (the field and the fix), never a stack trace.
 */
export function registerPromptsAndResources(server: McpServer, services: Services, identity: Identity): void {
  for (const prompt of prompts) {
    server.registerPrompt(
      prompt.name,
      { title: prompt.title, description: prompt.description, argsSchema: prompt.argsSchema },
      async (args: unknown): Promise<GetPromptResult> => {
        try {
          return await getPrompt(prompt, services, identity, args);
        } catch (thrown) {
          throw protocolError(toAppError(thrown), `prompt ${prompt.name}`);
        }
      },
    );
  }

  // The caller's projects, read once per request however many templates list them.
  let listed: Promise<string[]> | null = null;
  const projectRefs = () =>
    (listed ??= services.accounts.teams
      .list(identity)
      .then((teams) => teams.flatMap((team) => team.projects.map((name) => `${team.slug}/${name}`)))
      .then((refs) => refs.slice(0, LISTED_PROJECTS)));

  for (const resource of resources) {
    const template = new ResourceTemplate(`${RESOURCE_SCHEME}{project}/${resource.path}`, {
      list: async () => ({
        resources: (await projectRefs()).map((ref) => ({
          uri: resourceUri(ref, resource.path),
          name: `${ref} ${resource.name}`,
          title: `${resource.title}: ${ref}`,
          description: resource.description,
          mimeType: resource.mimeType,
        })),
      }),
    });
    server.registerResource(
      resource.name,
      template,
      { title: resource.title, description: resource.description, mimeType: resource.mimeType },
      async (uri, variables): Promise<ReadResourceResult> => {
        try {
          const raw = variables.project;
          const ref = decodeURIComponent(Array.isArray(raw) ? (raw[0] ?? "") : (raw ?? ""));
          const project = await services.projects.resolveProject(identity, ref, "read", { create: false });
          const text = await resource.read({ services, identity, project, ref });
          return { contents: [{ uri: uri.href, mimeType: resource.mimeType, text }] };
        } catch (thrown) {
          throw protocolError(toAppError(thrown), `resource ${uri.href}`);
        }
      },
    );
  }
}

function protocolError(error: AppError, what: string): ProtocolError {
  if (error.code === "internal") console.error(`${what} failed`, error.cause ?? error);
  const code = error.code === "internal" ? ProtocolErrorCode.InternalError : ProtocolErrorCode.InvalidParams;
  return new ProtocolError(code, `${what} failed (${error.code}): ${error.message}`, { code: error.code });
}
