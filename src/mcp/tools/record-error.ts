import { z } from "zod";
import { afterCommit } from "../../domain/core/after-commit";
import type { ScreenshotRecordOutcome } from "../../domain/errors/error-recorder";
import { attachmentViewSchema } from "../../views/attachments";
import { recordOutcomeView } from "../../views/errors";
import { elicitedDecision, heldApprovalSchema } from "../../views/llm";
import type { ToolOutput } from "../../views/output";
import { isoTime, redactionsSchema, warningsSchema } from "../../views/records";
import { analysisViewSchema } from "../../views/screenshots";
import { solutionViewSchema } from "../../views/search";
import { recordErrorInput } from "../schema";
import { defineTool, type Resume, type ToolContext } from "../tool";

const MAX_SUGGESTED_SOLUTIONS = 3;

/**
 * One shape for the three outcomes: recorded (every field), a screenshot held for approval before anything is
 * recorded (error_id null), and a held screenshot read later that filled an error's fields (filled_fields).
 */
const recordErrorOutput = z.object({
  error_id: z.string().nullable(),
  recorded: z.boolean(),
  error_type: z.string().optional(),
  message: z.string().optional(),
  file_path: z.string().nullable().optional(),
  line_number: z.number().nullable().optional(),
  recurring: z.boolean().optional(),
  occurrences: z.number().optional(),
  resolved: z.boolean().optional(),
  solution: z.string().nullable().optional(),
  known_solution: z.string().nullable().optional(),
  suggested_solutions: z.array(solutionViewSchema).optional(),
  session_id: z.string().nullable().optional(),
  first_seen: isoTime.optional(),
  last_seen: isoTime.optional(),
  stack_trace_truncated: z.boolean().optional(),
  redactions: redactionsSchema.optional(),
  warnings: warningsSchema.optional(),
  from_screenshot: z.array(z.string()).optional(),
  filled_fields: z.array(z.string()).optional(),
  screenshot: attachmentViewSchema
    .extend({ analysis: z.union([analysisViewSchema, heldApprovalSchema]) })
    .nullable()
    .optional(),
  ...elicitedDecision,
});

export const recordErrorTool = defineTool({
  name: "coding_record_error",
  title: "Record error",
  description:
    "Record an error when it happens; a repeat is another occurrence and returns its known fix. A screenshot " +
    "can stand in for the fields.",
  inputSchema: recordErrorInput,
  // Open world: a screenshot may be fetched from a URL and read by an external vision model.
  outputSchema: recordErrorOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  access: "write",
  rest: { method: "POST", path: "/errors" },
  async run({ services, identity, project }, input) {
    const outcome = await services.errors.recorder.record(identity, project, {
      errorType: input.error_type ?? null,
      message: input.message ?? null,
      stackTrace: input.stack_trace ?? null,
      filePath: input.file_path ?? null,
      lineNumber: input.line_number ?? null,
      solution: input.solution ?? null,
      tags: input.tags,
      screenshot: input.screenshot ?? null,
      screenshotText: input.screenshot_text ?? null,
      analyze: input.analyze ?? true,
    });
    return answer(services, project, outcome);
  },
});

/** coding_approve of a held screenshot: the vision model reads it, then the error is recorded (or filled). */
export const resumeScreenshotAnalysis: Resume = async ({ services, identity, project }, approval) => {
  const outcome = await services.errors.recorder.runApproved(identity, project, approval);
  const output = await answer(services, project, outcome);
  return { data: output.data, text: `Approved.\n${output.text}` };
};

/** The outcome's answer; a recorded error comes with the fixes of similar past errors. */
async function answer(
  services: ToolContext["services"],
  project: ToolContext["project"],
  outcome: ScreenshotRecordOutcome,
): Promise<ToolOutput> {
  if (outcome.state !== "recorded") return recordOutcomeView(project, outcome, []);
  const { error } = outcome.result;
  const warnings = [...outcome.warnings];
  // Past fixes come with the record, so the assistant sees them without a second call. The error is stored by
  // now: a failing search must not make the caller believe otherwise (and record it again). They come from
  // keywords, fingerprint and stack frames in one round trip, which keeps a record fast at 100,000 errors;
  // coding_get_solutions_for_error adds the vector signal.
  const suggestions = await afterCommit(
    "suggested_solutions",
    async () =>
      (await services.errors.search.solutionsFor(project, { error }, MAX_SUGGESTED_SOLUTIONS, "lexical")).suggestions,
    [],
    warnings,
  );
  return recordOutcomeView(project, { ...outcome, warnings }, suggestions);
}
