import { z } from "zod";
import type { Services } from "../../composition/services";
import { afterCommit } from "../../domain/core/after-commit";
import { ATTACHMENT_LIMITS } from "../../domain/screenshots/attachments";
import { LIMITS } from "../../domain/core/limits";
import type { Project } from "../../domain/core/records";
import type { ScreenshotRecordOutcome } from "../../domain/errors/error-recorder";
import { analysisView, visionNote } from "../../views/screenshots";
import { heldApproval, heldApprovalNote, heldApprovalView } from "../approvals";
import { attachmentView } from "../../views/attachments";
import { scopedInput, stringList } from "../schema";
import { defineTool, type ToolOutput } from "../tool";
import { renderSolutions, solutionView, solutionViewSchema } from "../../views/search";
import { attachmentViewSchema } from "../../views/attachments";
import { elicitedDecision, heldApprovalSchema } from "../../views/llm";
import { isoTime, redactionsSchema, warningsSchema } from "../../views/records";
import { analysisViewSchema } from "../../views/screenshots";
import { plural } from "../render";

const MAX_SUGGESTED_SOLUTIONS = 3;

/** Also the shape of each item of `POST /errors/import`. */
export const recordErrorInput = z.object({
  ...scopedInput,
  error_type: z.string().min(1).max(256).nullish().describe("e.g. TypeError, TS2307. Required without a screenshot."),
  message: z.string().min(1).max(LIMITS.messageChars).nullish().describe("Required without a screenshot."),
  stack_trace: z.string().nullish(),
  file_path: z.string().max(LIMITS.filePathChars).nullish(),
  line_number: z.number().int().min(0).max(10_000_000).nullish(),
  solution: z.string().max(LIMITS.solutionChars).nullish().describe("The fix, if known."),
  screenshot: z
    .string()
    .max(Math.ceil((ATTACHMENT_LIMITS.bytes * 4) / 3) + 100)
    .nullish()
    .describe("attachment_id (`npx coding-memory screenshot`), data URL, base64 or https URL."),
  screenshot_text: z
    .string()
    .max(LIMITS.stackTraceChars)
    .nullish()
    .describe("OCR text of the screenshot; fills empty fields."),
  analyze: z.boolean().nullish().describe("Use the vision model (default, if configured)."),
  tags: stringList("e.g. datetime, timezone.", LIMITS.tagChars),
});

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
    return renderRecordOutcome(services, project, outcome);
  },
});

/** The answer to a recorded (or held, or later filled) error: also what coding_approve shows after approving. */
export async function renderRecordOutcome(
  services: Services,
  project: Project,
  outcome: ScreenshotRecordOutcome,
): Promise<ToolOutput> {
  if (outcome.state === "held") {
    const view = attachmentView(project, outcome.screenshot);
    return {
      data: {
        error_id: null,
        recorded: false,
        screenshot: { ...view, analysis: heldApprovalView(outcome.approval) },
      },
      text:
        `Screenshot stored as ${outcome.screenshot.id}; nothing says what the error is until the vision model reads it.\n` +
        heldApprovalNote("the screenshot analysis (then the error is recorded)", outcome.approval) +
        "\nOr call coding_record_error again with error_type and message, or screenshot_text, and screenshot " +
        `${outcome.screenshot.id}.`,
      ...heldApproval("the screenshot analysis", outcome.approval),
    };
  }
  if (outcome.state === "enriched") {
    const lines = [
      outcome.analysis
        ? `Screenshot analysed by ${outcome.analysis.model}; error ${outcome.errorId} ` +
          (outcome.filled.length ? `now has its ${outcome.filled.join(", ")}.` : "already had every field it found.")
        : `The screenshot analysis did not complete: ${visionNote(outcome.vision)}`,
    ];
    if (outcome.analysis?.suspectedRootCause)
      lines.push(`Suspected root cause: ${outcome.analysis.suspectedRootCause}`);
    return {
      data: {
        error_id: outcome.errorId,
        recorded: true,
        filled_fields: outcome.filled,
        screenshot: {
          ...attachmentView(project, outcome.screenshot),
          analysis: analysisView(outcome.vision, outcome.analysis),
        },
      },
      text: lines.join("\n"),
    };
  }
  const { result, screenshot } = outcome;
  const { error } = result;
  const warnings = [...outcome.warnings];
  // Past fixes come with the record, so the assistant sees them without a second call. The error is stored by
  // now: a failing search must not make the caller believe otherwise (and record it again).
  const suggestions = await afterCommit(
    "suggested_solutions",
    async () => (await services.errors.search.solutionsFor(project, { error }, MAX_SUGGESTED_SOLUTIONS)).suggestions,
    [],
    warnings,
  );
  const suggestedSolutions = suggestions.map(solutionView);
  const lines = [
    result.recurring
      ? `Recorded another occurrence of error ${error.id}: seen ${plural(error.occurrences, "time")}.`
      : `Recorded error ${error.id} (${error.errorType}).`,
  ];
  if (outcome.fromScreenshot.length) {
    const reader = outcome.vision.state === "completed" ? outcome.vision.model : "the screenshot's text";
    lines.push(
      `From the screenshot (${reader}): ${error.errorType}: ${error.message.split("\n")[0]?.slice(0, 200)}` +
        (error.filePath ? ` at ${error.filePath}${error.lineNumber !== null ? `:${error.lineNumber}` : ""}` : "") +
        ".",
    );
  }
  if (outcome.analysis?.suspectedRootCause) lines.push(`Suspected root cause: ${outcome.analysis.suspectedRootCause}`);
  if (result.knownSolution) lines.push(`Known fix from last time: ${result.knownSolution}`);
  const others = suggestedSolutions.filter((s) => s.solution !== result.knownSolution);
  if (others.length) lines.push(`Fixes of similar past errors:\n${renderSolutions(others)}`);
  if (!error.resolved) lines.push("When fixed, call coding_resolve_error with the solution.");
  if (result.stackTraceTruncated) lines.push(`Stack trace truncated to ${LIMITS.stackTraceChars} characters.`);
  if (result.redactions.length) {
    lines.push(
      `Redacted before storage: ${result.redactions.map((r) => `${r.count} ${r.kind} in ${r.field}`).join(", ")}.`,
    );
  }
  for (const warning of warnings) lines.push(`Note: ${warning.message}`);
  if (screenshot) {
    lines.push(`Screenshot stored as ${screenshot.id}.`);
    if (outcome.vision.state === "approval_required") {
      lines.push(heldApprovalNote("the screenshot analysis (it fills what is still empty)", outcome.vision.approval));
    } else if (outcome.vision.state !== "completed") lines.push(`Vision analysis: ${visionNote(outcome.vision)}`);
  }
  return {
    data: {
      error_id: error.id,
      recorded: true,
      error_type: error.errorType,
      message: error.message,
      file_path: error.filePath,
      line_number: error.lineNumber,
      recurring: result.recurring,
      occurrences: error.occurrences,
      resolved: error.resolved,
      solution: error.solution,
      known_solution: result.knownSolution,
      suggested_solutions: suggestedSolutions,
      session_id: result.sessionId,
      first_seen: new Date(error.firstSeen).toISOString(),
      last_seen: new Date(error.lastSeen).toISOString(),
      stack_trace_truncated: result.stackTraceTruncated,
      redactions: result.redactions,
      from_screenshot: outcome.fromScreenshot,
      ...(warnings.length ? { warnings } : {}),
      screenshot: screenshot && {
        ...attachmentView(project, screenshot),
        analysis: analysisView(outcome.vision, outcome.analysis),
      },
    },
    text: lines.join("\n"),
    ...(outcome.vision.state === "approval_required"
      ? heldApproval("the screenshot analysis", outcome.vision.approval)
      : {}),
  };
}
