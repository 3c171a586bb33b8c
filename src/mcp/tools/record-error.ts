import { z } from "zod";
import { AppError } from "../../domain/app-error";
import { ATTACHMENT_LIMITS } from "../../domain/attachments";
import { errorFromText } from "../../domain/screenshot-text";
import { LIMITS } from "../../domain/limits";
import { scopedInput, stringList } from "../schema";
import { defineTool } from "../tool";
import { renderSolutions, solutionView } from "./get-solutions";

const MAX_SUGGESTED_SOLUTIONS = 3;

/** Also the shape of each item of `POST /errors/import`. */
export const recordErrorInput = z.object({
  ...scopedInput,
  error_type: z
    .string()
    .min(1)
    .max(256)
    .nullish()
    .describe("Exception class or error code, e.g. TypeError, TS2307. Required unless screenshot_text is given."),
  message: z
    .string()
    .min(1)
    .max(LIMITS.messageChars)
    .nullish()
    .describe("The error message. Required unless screenshot_text is given."),
  stack_trace: z
    .string()
    .nullish()
    .describe(`Stack trace. Over ${LIMITS.stackTraceChars} characters it is truncated (middle cut) and flagged.`),
  file_path: z.string().max(LIMITS.filePathChars).nullish().describe("File where it occurred."),
  line_number: z.number().int().min(0).max(10_000_000).nullish().describe("Line where it occurred."),
  solution: z.string().max(LIMITS.solutionChars).nullish().describe("The fix, if already known."),
  screenshot: z
    .string()
    .max(Math.ceil((ATTACHMENT_LIMITS.bytes * 4) / 3) + 100)
    .nullish()
    .describe(
      "Screenshot of the error: an attachment_id from POST /attachments or `npx coding-memory screenshot`, a data URL " +
        "(data:image/png;base64,…), base64, or an https URL. PNG, JPEG, WebP or GIF up to 5 MiB. A local path cannot " +
        "be read by the server.",
    ),
  screenshot_text: z
    .string()
    .max(LIMITS.stackTraceChars)
    .nullish()
    .describe(
      "Text read from the screenshot (`npx coding-memory screenshot` runs OCR locally). Empty fields (error type, " +
        "message, file, line, stack trace) are filled from it.",
    ),
  tags: stringList("Tags such as datetime, timezone.", LIMITS.tagChars),
});

export const recordErrorTool = defineTool({
  name: "coding_record_error",
  title: "Record error",
  description:
    "Record an error when it happens (add the fix later with coding_resolve_error, or pass solution now). " +
    "The same error seen again (same type, message and top frames once paths, line numbers and values are " +
    "abstracted) counts as another occurrence of one record, and its known fix is returned.",
  inputSchema: recordErrorInput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  access: "write",
  rest: { method: "POST", path: "/errors" },
  async run({ services, identity, project }, input) {
    // Fields given explicitly win; the screenshot's text fills the rest.
    const fromText = input.screenshot_text ? errorFromText(input.screenshot_text) : null;
    const errorType = input.error_type ?? fromText?.errorType;
    const message = input.message ?? fromText?.message;
    if (!errorType || !message) {
      const field = errorType ? "message" : "error_type";
      throw new AppError(
        "invalid_input",
        `${field}: required, unless screenshot_text gives the error's text (run \`npx coding-memory screenshot <file> --record\` ` +
          "to read a screenshot locally).",
        { details: { field } },
      );
    }
    // The image is stored before the error, so one that cannot be used fails the call with no error recorded.
    const screenshot = input.screenshot
      ? await services.attachments.fromArgument(identity, project, input.screenshot)
      : null;
    const result = await services.memory.recordError(identity, project, {
      errorType,
      message,
      stackTrace: input.stack_trace ?? fromText?.stackTrace ?? null,
      filePath: input.file_path ?? fromText?.filePath ?? null,
      lineNumber: input.line_number ?? fromText?.lineNumber ?? null,
      solution: input.solution ?? null,
      tags: input.tags,
    });
    const { error } = result;
    if (screenshot) await services.attachments.linkToError(project, screenshot, error.id);
    // Past fixes come with the record, so the assistant sees them without a second call.
    const { suggestions } = await services.search.solutionsFor(project, { error }, MAX_SUGGESTED_SOLUTIONS);
    const suggestedSolutions = suggestions.map(solutionView);
    const lines = [
      result.recurring
        ? `Recorded another occurrence of error ${error.id}: seen ${error.occurrences} times.`
        : `Recorded error ${error.id} (${error.errorType}).`,
    ];
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
    return {
      data: {
        error_id: error.id,
        error_type: error.errorType,
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
        screenshot: screenshot && {
          attachment_id: screenshot.id,
          content_type: screenshot.contentType,
          size_bytes: screenshot.sizeBytes,
          url: `/api/v1/projects/${encodeURIComponent(project.slug)}/attachments/${screenshot.id}`,
        },
      },
      text: lines.join("\n") + (screenshot ? `\nScreenshot stored as ${screenshot.id}.` : ""),
    };
  },
});
