import { z } from "zod";
import { AppError } from "../../domain/app-error";
import { LIMITS } from "../../domain/limits";
import { scopedInput, stringList } from "../schema";
import { defineTool } from "../tool";
import { renderSolutions, solutionView } from "./get-solutions";

const MAX_SUGGESTED_SOLUTIONS = 3;

/** Also the shape of each item of `POST /errors/import`. */
export const recordErrorInput = z.object({
  ...scopedInput,
  error_type: z.string().min(1).max(256).describe("Exception class or error code, e.g. TypeError, TS2307."),
  message: z.string().min(1).max(LIMITS.messageChars).describe("The error message."),
  stack_trace: z
    .string()
    .nullish()
    .describe(`Stack trace. Over ${LIMITS.stackTraceChars} characters it is truncated (middle cut) and flagged.`),
  file_path: z.string().max(LIMITS.filePathChars).nullish().describe("File where it occurred."),
  line_number: z.number().int().min(0).max(10_000_000).nullish().describe("Line where it occurred."),
  solution: z.string().max(LIMITS.solutionChars).nullish().describe("The fix, if already known."),
  screenshot: z.string().nullish().describe("Screenshot of the error. Not accepted yet: paste the error text."),
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
    if (input.screenshot) {
      throw new AppError(
        "unsupported",
        "screenshot: screenshots are not accepted yet; paste the error type, message and stack trace as text instead.",
        { details: { field: "screenshot" } },
      );
    }
    const result = await services.memory.recordError(identity, project, {
      errorType: input.error_type,
      message: input.message,
      stackTrace: input.stack_trace ?? null,
      filePath: input.file_path ?? null,
      lineNumber: input.line_number ?? null,
      solution: input.solution ?? null,
      tags: input.tags,
    });
    const { error } = result;
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
      },
      text: lines.join("\n"),
    };
  },
});
