import type { Services } from "../composition/services";
import { AppError } from "../domain/core/app-error";
import type { Identity } from "../domain/core/records";
import type { ToolDefinition, ToolOutput } from "./tool";

/** A failed zod check: zod's own error, or the one @hono/zod-validator hands its hook. */
export interface ZodIssues {
  issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }>;
}

/** Names every offending field, so an assistant can fix its call without guessing. */
export function invalidInput(error: ZodIssues): AppError {
  const fields = error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join(".") : "(input)",
    message: issue.message,
  }));
  return new AppError("invalid_input", fields.map((f) => `${f.field}: ${f.message}`).join("; "), {
    details: { fields },
  });
}

/** The path every tool call takes, from MCP or REST: validate → check identity → resolve project → run. */
export async function runTool(
  tool: ToolDefinition,
  services: Services,
  identity: Identity,
  rawInput: unknown,
): Promise<ToolOutput> {
  const parsed = tool.inputSchema.safeParse(rawInput ?? {});
  if (!parsed.success) throw invalidInput(parsed.error);
  const input = parsed.data;
  if (input.user_id !== undefined && input.user_id !== identity.userId) {
    throw new AppError(
      "forbidden",
      `user_id: you are authenticated as "${identity.userId}"; acting as another user is not allowed. Omit user_id.`,
      { details: { field: "user_id" } },
    );
  }
  const project = await services.projects.resolveProject(identity, input.project_id, tool.access, {
    create: tool.createsProject ?? tool.access === "write",
  });
  if (tool.access !== "read") await services.accounts.limitWrites(identity);
  return tool.run({ services, identity, project }, input);
}
