import type { CodingSession, Decision, ErrorRecord, FileChange } from "../core/records";
import { plural } from "../core/plural";

export interface SessionActivity {
  changes: FileChange[];
  errors: ErrorRecord[];
  decisions: Decision[];
}

export interface SessionDigest {
  durationMinutes: number;
  counts: { fileChanges: number; errors: number; decisions: number };
  filesTouched: Array<{ filePath: string; actions: string[]; changes: number }>;
  errorsResolved: number;
  errorsOpen: number;
  markdown: string;
}

const MAX_LISTED = 10;

/**
 * A deterministic summary of what a session did, built only from recorded activity. It is what
 * `coding_end_session` returns when no summary is supplied and no model is in use.
 */
export function buildSessionDigest(
  session: Pick<CodingSession, "description" | "tags" | "startedAt">,
  activity: SessionActivity,
  endedAt: number,
  outcome: { success: boolean | null; status: "ended" | "expired" },
): SessionDigest {
  const durationMinutes = Math.max(0, Math.round((endedAt - session.startedAt) / 60_000));
  const byFile = new Map<string, { actions: Set<string>; changes: number }>();
  for (const change of activity.changes) {
    const entry = byFile.get(change.filePath) ?? { actions: new Set<string>(), changes: 0 };
    entry.actions.add(change.action);
    entry.changes += 1;
    byFile.set(change.filePath, entry);
  }
  const filesTouched = [...byFile.entries()]
    .map(([filePath, entry]) => ({ filePath, actions: [...entry.actions].sort(), changes: entry.changes }))
    .sort((a, b) => b.changes - a.changes || a.filePath.localeCompare(b.filePath));
  const errorsResolved = activity.errors.filter((e) => e.resolved).length;
  const errorsOpen = activity.errors.length - errorsResolved;

  const outcomeText =
    outcome.status === "expired"
      ? "closed automatically after reaching the maximum session duration"
      : outcome.success === false
        ? "ended unsuccessfully"
        : outcome.success === true
          ? "ended successfully"
          : "ended";
  const lines: string[] = [
    `## Session: ${session.description}`,
    `${outcomeText[0]?.toUpperCase()}${outcomeText.slice(1)} after ${durationMinutes} min` +
      (session.tags.length ? ` · tags: ${session.tags.join(", ")}` : "") +
      ".",
    `Activity: ${plural(activity.changes.length, "file change")} across ${plural(filesTouched.length, "file")}, ` +
      `${plural(activity.errors.length, "error")} (${errorsResolved} resolved, ${errorsOpen} open), ` +
      `${plural(activity.decisions.length, "decision")}.`,
  ];
  if (filesTouched.length) {
    lines.push("", "### Files changed");
    for (const file of filesTouched.slice(0, MAX_LISTED)) {
      const reasons = activity.changes
        .filter((c) => c.filePath === file.filePath)
        .map((c) => c.reason)
        .filter((r, i, all) => all.indexOf(r) === i)
        .slice(0, 2);
      lines.push(`- \`${file.filePath}\` (${file.actions.join(", ")}): ${reasons.join("; ")}`);
    }
    if (filesTouched.length > MAX_LISTED)
      lines.push(`- … and ${plural(filesTouched.length - MAX_LISTED, "more file")}`);
  }
  if (activity.errors.length) {
    lines.push("", "### Errors");
    for (const error of activity.errors.slice(0, MAX_LISTED)) {
      const seen = error.occurrences > 1 ? ` (seen ${error.occurrences} times)` : "";
      const state = error.resolved ? `resolved: ${firstLine(error.solution ?? "")}` : "open";
      lines.push(`- ${error.errorType}: ${firstLine(error.message)}${seen} — ${state}`);
    }
  }
  if (activity.decisions.length) {
    lines.push("", "### Decisions");
    for (const decision of activity.decisions.slice(0, MAX_LISTED)) {
      lines.push(`- ${decision.decision} — ${firstLine(decision.rationale)}`);
    }
  }
  const followUps: string[] = [];
  for (const error of activity.errors.filter((e) => !e.resolved).slice(0, MAX_LISTED)) {
    followUps.push(`Resolve or record the fix for ${error.errorType} (error ${error.id}) with coding_resolve_error.`);
  }
  if (activity.changes.length && !activity.changes.some((c) => c.action === "test")) {
    followUps.push("No test changes were recorded in this session; consider covering the changed files.");
  }
  if (followUps.length) {
    lines.push("", "### Follow-ups");
    for (const item of followUps) lines.push(`- ${item}`);
  }
  return {
    durationMinutes,
    counts: {
      fileChanges: activity.changes.length,
      errors: activity.errors.length,
      decisions: activity.decisions.length,
    },
    filesTouched,
    errorsResolved,
    errorsOpen,
    markdown: lines.join("\n"),
  };
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}
