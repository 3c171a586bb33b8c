import { z } from "zod";
import { LIMITS } from "../../domain/core/limits";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";
import { redactionsSchema } from "../../views/records";

const resolveErrorOutput = z.object({
  error_id: z.string(),
  resolved: z.literal(true),
  solution: z.string().nullable(),
  occurrences: z.number(),
  previously_resolved: z.boolean(),
  session_id: z.string().nullable(),
  redactions: redactionsSchema,
});

export const resolveErrorTool = defineTool({
  name: "coding_resolve_error",
  title: "Resolve error",
  description: "Add the fix to a recorded error; it is suggested when anyone hits the error again.",
  inputSchema: z.object({
    ...scopedInput,
    error_id: z.string().min(1).max(64),
    solution: z.string().min(1).max(LIMITS.solutionChars).describe("What fixed it."),
  }),
  outputSchema: resolveErrorOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "write",
  createsProject: false,
  rest: { method: "POST", path: "/errors/:error_id/resolve", status: 200 },
  async run({ services, identity, project }, input) {
    const { error, wasResolved, sessionId, redactions } = await services.errors.records.resolveError(
      identity,
      project,
      input.error_id,
      input.solution,
    );
    return {
      data: {
        error_id: error.id,
        resolved: true,
        solution: error.solution,
        occurrences: error.occurrences,
        previously_resolved: wasResolved,
        session_id: sessionId,
        redactions,
      },
      text:
        `Error ${error.id} (${error.errorType}) marked resolved` +
        (wasResolved ? " (its previous solution was replaced)" : "") +
        `. Solution: ${error.solution}`,
    };
  },
});
