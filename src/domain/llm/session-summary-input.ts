/**
 * The input of an AI session summary, compacted to a token budget. The seed sent the whole event log (~5,000
 * tokens for a typical session); this sends every file group, error and decision once, folding repeats, and
 * sheds detail in steps until the text fits: all reasons → first reason per file → files counted per group.
 */
import { estimateTokens } from "../context/context";
import type { SessionActivity } from "../sessions/digest";
import type { CodingSession } from "../core/records";
import type { LlmRequest } from "./types";
import { plural } from "../core/plural";

/** Input tokens for the user message (the activity), by the 4-characters-per-token estimate. */
export const SESSION_SUMMARY_INPUT_TOKENS = 3_000;
export const SESSION_SUMMARY_OUTPUT_TOKENS = 700;

const REASON_CHARS = 100;
const MESSAGE_CHARS = 160;

type Detail = "full" | "first-reason" | "counts";

export function sessionSummaryRequest(
  systemPrompt: string,
  session: Pick<CodingSession, "description" | "tags" | "startedAt" | "endedAt" | "success" | "status">,
  activity: SessionActivity,
): Omit<LlmRequest, "model"> {
  let content = "";
  for (const detail of ["full", "first-reason", "counts"] as const) {
    content = compactActivity(session, activity, detail);
    if (estimateTokens(content) <= SESSION_SUMMARY_INPUT_TOKENS) break;
  }
  // Still too long (thousands of errors or decisions): cut, keeping the head, which lists the session itself.
  const maxChars = SESSION_SUMMARY_INPUT_TOKENS * 4;
  if (content.length > maxChars) content = `${content.slice(0, maxChars - 40)}\n… (input truncated)`;
  return {
    system: systemPrompt,
    messages: [{ role: "user", content }],
    maxOutputTokens: SESSION_SUMMARY_OUTPUT_TOKENS,
    temperature: 0.2,
  };
}

export function compactActivity(
  session: Pick<CodingSession, "description" | "tags" | "startedAt" | "endedAt" | "success" | "status">,
  activity: SessionActivity,
  detail: Detail,
): string {
  const minutes = Math.max(0, Math.round(((session.endedAt ?? session.startedAt) - session.startedAt) / 60_000));
  const outcome =
    session.status === "expired"
      ? "closed automatically at the maximum duration"
      : session.success === true
        ? "ended successfully"
        : session.success === false
          ? "ended unsuccessfully"
          : "ended";
  const lines = [
    `Session: ${session.description}${session.tags.length ? ` (tags: ${session.tags.join(", ")})` : ""} — ${outcome} after ${minutes} min`,
  ];

  const files = new Map<string, { actions: Map<string, number>; reasons: string[] }>();
  for (const change of activity.changes) {
    const entry = files.get(change.filePath) ?? { actions: new Map<string, number>(), reasons: [] };
    entry.actions.set(change.action, (entry.actions.get(change.action) ?? 0) + 1);
    const reason = clip(change.reason, REASON_CHARS);
    if (reason && !entry.reasons.includes(reason)) entry.reasons.push(reason);
    files.set(change.filePath, entry);
  }
  const groups = new Map<string, string[]>();
  for (const path of [...files.keys()].sort()) {
    const slash = path.lastIndexOf("/");
    const group = slash > 0 ? `${path.slice(0, slash)}/` : "./";
    groups.set(group, [...(groups.get(group) ?? []), path]);
  }
  lines.push(`Files: ${plural(activity.changes.length, "change")} in ${plural(files.size, "file")}`);
  for (const [group, paths] of groups) {
    if (detail === "counts") {
      const changes = paths.reduce(
        (sum, path) => sum + [...(files.get(path)?.actions.values() ?? [])].reduce((a, b) => a + b, 0),
        0,
      );
      lines.push(`- ${group} (${plural(paths.length, "file")}, ${plural(changes, "change")})`);
      continue;
    }
    const described = paths.map((path) => {
      const entry = files.get(path);
      const actions = [...(entry?.actions ?? [])].map(([action, n]) => (n > 1 ? `${action} ×${n}` : action));
      const reasons = detail === "full" ? (entry?.reasons ?? []) : (entry?.reasons ?? []).slice(0, 1);
      return `${path.slice(group === "./" ? 0 : group.length)} [${actions.join(", ")}${reasons.length ? `: ${reasons.join("; ")}` : ""}]`;
    });
    lines.push(`- ${group} (${paths.length} file${paths.length === 1 ? "" : "s"}): ${described.join(", ")}`);
  }

  // Errors folded by type and message: a recurrence is one line with its count.
  const errors = new Map<string, { line: string; count: number }>();
  for (const error of activity.errors) {
    const key = `${error.errorType}: ${clip(error.message, MESSAGE_CHARS)}`;
    const state = error.resolved ? `resolved: ${clip(error.solution ?? "", MESSAGE_CHARS)}` : "open";
    const existing = errors.get(key);
    if (existing) existing.count += error.occurrences;
    else errors.set(key, { line: `${key} — ${state}`, count: error.occurrences });
  }
  lines.push(`Errors (${errors.size}):`);
  for (const { line, count } of errors.values()) lines.push(`- ${line}${count > 1 ? ` (seen ${count} times)` : ""}`);

  lines.push(`Decisions (${activity.decisions.length}):`);
  for (const decision of activity.decisions) {
    const alternatives = decision.alternatives.length ? ` (alternatives: ${decision.alternatives.join(", ")})` : "";
    lines.push(
      `- ${clip(decision.decision, MESSAGE_CHARS)} — ${clip(decision.rationale, REASON_CHARS)}${alternatives}`,
    );
  }
  return lines.join("\n");
}

function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
