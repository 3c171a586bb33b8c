import { Hono, type Context } from "hono";
import { z } from "zod";
import { recordErrorInput } from "../mcp/tools/record-error";
import type { Services } from "../app";
import { AppError } from "../domain/app-error";
import { LIMITS } from "../domain/limits";
import type { Identity, Page, Project } from "../domain/records";
import { invalidInput, runTool } from "../mcp/run-tool";
import { projectIdField } from "../mcp/schema";
import type { ToolDefinition } from "../mcp/tool";
import { tools } from "../mcp/tools";

export type RestEnv = { Variables: { services: Services; identity: Identity } };

/** Reads a JSON object body within the size limit; anything else is a 4xx naming the problem. */
async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.length > LIMITS.requestBodyBytes) {
    throw new AppError("payload_too_large", `body: over ${LIMITS.requestBodyBytes} bytes.`, {
      details: { field: "body", limit: LIMITS.requestBodyBytes },
    });
  }
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new AppError("invalid_input", "body: malformed JSON.", { details: { field: "body" }, cause });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AppError("invalid_input", "body: expected a JSON object.", { details: { field: "body" } });
  }
  return parsed as Record<string, unknown>;
}

/**
 * Query strings carry only text: a converter per tool turns the fields its schema declares as numbers or
 * booleans into those types, so GET routes validate with the same schema as MCP and POST.
 */
function queryConverter(tool: ToolDefinition): (query: Record<string, string>) => Record<string, unknown> {
  const jsonSchema = z.toJSONSchema(tool.inputSchema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, { type?: string }>;
  };
  return (query) => {
    const input: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(query)) {
      const type = jsonSchema.properties?.[key]?.type;
      if ((type === "number" || type === "integer") && value.trim() !== "" && !Number.isNaN(Number(value))) {
        input[key] = Number(value);
      } else if (type === "boolean" && (value === "true" || value === "false")) {
        input[key] = value === "true";
      } else {
        input[key] = value;
      }
    }
    return input;
  };
}

const reindexBody = z.object({
  only_pending: z.boolean().default(false).describe("Queue only errors without a vector from the current model."),
});

/** At most this many errors per import request: one D1 batch. */
export const MAX_IMPORT_ERRORS = 100;

const importBody = z.object({
  errors: z
    .array(recordErrorInput.omit({ project_id: true, user_id: true, screenshot: true }).strict())
    .min(1)
    .max(MAX_IMPORT_ERRORS)
    .describe("Errors in coding_record_error's shape."),
});

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50),
  cursor: z.string().max(512).optional(),
  resolved: z.enum(["true", "false"]).optional(),
});

export function restRoutes(): Hono<RestEnv> {
  const api = new Hono<RestEnv>();

  for (const tool of tools) {
    const fromQuery = tool.rest.method === "GET" ? queryConverter(tool) : null;
    api.on(tool.rest.method, `/projects/:project${tool.rest.path}`, async (c) => {
      const base = fromQuery ? fromQuery(c.req.query()) : await readJsonObject(c);
      const project = c.req.param("project");
      if (base.project_id !== undefined && base.project_id !== project) {
        throw new AppError("invalid_input", "project_id: the body names a different project than the URL.", {
          details: { field: "project_id" },
        });
      }
      const input = { ...base, ...c.req.param(), project_id: project };
      delete (input as Record<string, unknown>).project;
      const output = await runTool(tool, c.get("services"), c.get("identity"), input);
      return c.json(
        output.data,
        tool.rest.status ?? (tool.rest.method === "POST" && tool.access === "write" ? 201 : 200),
      );
    });
  }

  const listing = <T>(
    path: string,
    list: (c: Context<RestEnv>, project: Project, page: z.output<typeof pageQuery>) => Promise<Page<T>>,
  ) =>
    api.get(`/projects/:project/${path}`, async (c) => {
      const slug = projectIdField.safeParse(c.req.param("project"));
      if (!slug.success) throw invalidInput(slug.error);
      const page = pageQuery.safeParse(c.req.query());
      if (!page.success) throw invalidInput(page.error);
      const project = await c.get("services").memory.resolveProject(c.get("identity"), slug.data, "read");
      const result = await list(c, project, page.data);
      return c.json({ items: result.items, next_cursor: result.nextCursor });
    });

  listing("sessions", (c, project, page) =>
    c.get("services").memory.listSessions(project, { limit: page.limit, cursor: page.cursor ?? null }),
  );
  listing("errors", (c, project, page) =>
    c.get("services").memory.listErrors(project, {
      limit: page.limit,
      cursor: page.cursor ?? null,
      ...(page.resolved ? { resolved: page.resolved === "true" } : {}),
    }),
  );
  listing("decisions", (c, project, page) =>
    c.get("services").memory.listDecisions(project, { limit: page.limit, cursor: page.cursor ?? null }),
  );
  listing("changes", (c, project, page) =>
    c.get("services").memory.listChanges(project, { limit: page.limit, cursor: page.cursor ?? null }),
  );

  // Vector index maintenance. Operator commands rather than MCP tools, so the tool list stays small.
  const memberProject = async (c: Context<RestEnv>): Promise<Project> => {
    const slug = projectIdField.safeParse(c.req.param("project"));
    if (!slug.success) throw invalidInput(slug.error);
    return c.get("services").memory.resolveProject(c.get("identity"), slug.data, "read");
  };
  api.post("/projects/:project/errors/reindex", async (c) => {
    const project = await memberProject(c);
    const body = reindexBody.safeParse(await readJsonObject(c));
    if (!body.success) throw invalidInput(body.error);
    const result = await c.get("services").indexer.reindexProject(project.id, { onlyPending: body.data.only_pending });
    return c.json(
      { model: result.model, queued: result.queued, jobs: result.jobs, only_pending: body.data.only_pending },
      202,
    );
  });
  // Bulk import (history from another tool, a CI run): one atomic batch, no session links or suggestions.
  api.post("/projects/:project/errors/import", async (c) => {
    const slug = projectIdField.safeParse(c.req.param("project"));
    if (!slug.success) throw invalidInput(slug.error);
    const body = importBody.safeParse(await readJsonObject(c));
    if (!body.success) throw invalidInput(body.error);
    const services = c.get("services");
    const project = await services.memory.resolveProject(c.get("identity"), slug.data, "write");
    const { results, redactions } = await services.memory.importErrors(
      c.get("identity"),
      project,
      body.data.errors.map((error) => ({
        errorType: error.error_type,
        message: error.message,
        stackTrace: error.stack_trace ?? null,
        filePath: error.file_path ?? null,
        lineNumber: error.line_number ?? null,
        solution: error.solution ?? null,
        tags: error.tags,
      })),
    );
    return c.json(
      {
        imported: results.length,
        created: results.filter((result) => result.inserted).length,
        results: results.map(({ error, inserted }) => ({
          error_id: error.id,
          recurring: !inserted,
          occurrences: error.occurrences,
        })),
        redactions,
      },
      201,
    );
  });
  api.get("/projects/:project/errors/index-status", async (c) => {
    const project = await memberProject(c);
    return c.json(await c.get("services").indexer.status(project.id));
  });
  return api;
}
