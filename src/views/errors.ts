import type { Project } from "../domain/core/records";
import type { ScreenshotRecordOutcome } from "../domain/errors/error-recorder";
import type { SolutionSuggestion } from "../domain/errors/search";
import { LIMITS } from "../domain/core/limits";
import { attachmentView } from "./attachments";
import { heldApproval, heldApprovalNote, heldApprovalView } from "./llm";
import type { ToolOutput } from "./output";
import { plural } from "./render";
import { analysisView, visionNote } from "./screenshots";
import { renderSolutions, solutionView } from "./search";

/**
 * The answer to a recorded (or held, or later filled) error: also what coding_approve shows after approving.
 * `suggestions` are the fixes of similar past errors, looked up after the error was stored (none unless recorded).
 */
export function recordOutcomeView(
  project: Project,
  outcome: ScreenshotRecordOutcome,
  suggestions: SolutionSuggestion[],
): ToolOutput {
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
  const { warnings } = outcome;
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
