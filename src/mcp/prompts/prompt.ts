import type { GetPromptResult } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Services } from "../../composition/services";
import type { Identity } from "../../domain/core/records";
import { invalidInput } from "../run-tool";
import { projectIdField } from "../schema";

/**
 * An MCP prompt: a workflow of the seed (recall before fixing, start a session, write the session's summary,
 * record a decision) as a message a client offers as a slash command. Arguments are strings (MCP prompt
 * arguments are); the data in the message comes through the tools' own path (runTool: validation, the caller's
 * access to the project), so a prompt shows nothing its caller could not read. Getting a prompt never writes: it
 * tells the assistant which tool to call.
 */
export interface PromptDefinition<Args extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  argsSchema: Args;
  build(context: { services: Services; identity: Identity }, args: z.output<Args>): Promise<string>;
}

export function definePrompt<Args extends z.ZodObject>(prompt: PromptDefinition<Args>): PromptDefinition {
  return prompt as unknown as PromptDefinition;
}

/** Every prompt names its project, as every tool does. */
export const promptProject = { project_id: projectIdField };

export async function getPrompt(
  prompt: PromptDefinition,
  services: Services,
  identity: Identity,
  rawArgs: unknown,
): Promise<GetPromptResult> {
  const parsed = prompt.argsSchema.safeParse(rawArgs ?? {});
  if (!parsed.success) throw invalidInput(parsed.error);
  const text = await prompt.build({ services, identity }, parsed.data);
  return { description: prompt.description, messages: [{ role: "user", content: { type: "text", text } }] };
}
