/**
 * One view per record kind, shared by the MCP tools and the REST API: snake_case, ISO-8601 times, the project by
 * its name, and no internals (internal project ids, fingerprints, search terms, vector bookkeeping). Each view has
 * its zod schema, which is also what the tools' output schemas are built from.
 */
import { z } from "zod";
import {
  FILE_ACTIONS,
  type CodingSession,
  type Decision,
  type ErrorRecord,
  type FileChange,
} from "../domain/core/records";

/** Steps after a committed write that failed: the write stands (src/domain/core/after-commit.ts). */
export const warningsSchema = z.array(z.object({ step: z.string(), message: z.string() }));

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** An ISO-8601 date-time, as every view writes times. */
export const isoTime = z.string().meta({ format: "date-time" });

export const sessionViewSchema = z.object({
  session_id: z.string(),
  user_id: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  status: z.enum(["active", "ended", "expired"]),
  success: z.boolean().nullable(),
  started_at: isoTime,
  ended_at: isoTime.nullable(),
  summary: z.string().nullable(),
  summary_source: z.enum(["user", "digest", "llm"]).nullable(),
  /** Why the AI summary could not be written (no API key, provider refused); the digest stays. */
  summary_error: z.string().nullable(),
});
export type SessionView = z.output<typeof sessionViewSchema>;

export function sessionView(session: CodingSession): SessionView {
  return {
    session_id: session.id,
    user_id: session.userId,
    description: session.description,
    tags: session.tags,
    status: session.status,
    success: session.success,
    started_at: iso(session.startedAt),
    ended_at: isoOrNull(session.endedAt),
    summary: session.summary,
    summary_source: session.summarySource,
    summary_error: session.summaryError,
  };
}

export const errorViewSchema = z.object({
  error_id: z.string(),
  error_type: z.string(),
  message: z.string(),
  stack_trace: z.string().nullable(),
  stack_trace_truncated: z.boolean(),
  file_path: z.string().nullable(),
  line_number: z.number().nullable(),
  solution: z.string().nullable(),
  resolved: z.boolean(),
  occurrences: z.number(),
  tags: z.array(z.string()),
  session_id: z.string().nullable(),
  user_id: z.string(),
  source: z.enum(["user", "ci"]),
  last_commit: z.string().nullable(),
  last_ci_job: z.string().nullable(),
  first_seen: isoTime,
  last_seen: isoTime,
  resolved_at: isoTime.nullable(),
  created_at: isoTime,
});
export type ErrorView = z.output<typeof errorViewSchema>;

export function errorView(error: ErrorRecord): ErrorView {
  return {
    error_id: error.id,
    error_type: error.errorType,
    message: error.message,
    stack_trace: error.stackTrace,
    stack_trace_truncated: error.stackTraceTruncated,
    file_path: error.filePath,
    line_number: error.lineNumber,
    solution: error.solution,
    resolved: error.resolved,
    occurrences: error.occurrences,
    tags: error.tags,
    session_id: error.sessionId,
    user_id: error.userId,
    source: error.source,
    last_commit: error.lastCommit,
    last_ci_job: error.lastCiJob,
    first_seen: iso(error.firstSeen),
    last_seen: iso(error.lastSeen),
    resolved_at: isoOrNull(error.resolvedAt),
    created_at: iso(error.createdAt),
  };
}

export const decisionViewSchema = z.object({
  decision_id: z.string(),
  decision: z.string(),
  rationale: z.string(),
  alternatives: z.array(z.string()),
  impact: z.string().nullable(),
  confidence: z.number(),
  related_files: z.array(z.string()),
  tags: z.array(z.string()),
  session_id: z.string().nullable(),
  user_id: z.string(),
  created_at: isoTime,
});
export type DecisionView = z.output<typeof decisionViewSchema>;

export function decisionView(decision: Decision): DecisionView {
  return {
    decision_id: decision.id,
    decision: decision.decision,
    rationale: decision.rationale,
    alternatives: decision.alternatives,
    impact: decision.impact,
    confidence: decision.confidence,
    related_files: decision.relatedFiles,
    tags: decision.tags,
    session_id: decision.sessionId,
    user_id: decision.userId,
    created_at: iso(decision.createdAt),
  };
}

export const fileChangeViewSchema = z.object({
  change_id: z.string(),
  file_path: z.string(),
  action: z.string().describe(FILE_ACTIONS.join(", ")),
  reason: z.string(),
  diff: z.string().nullable(),
  diff_truncated: z.boolean(),
  related_files: z.array(z.string()),
  line_range: z.string().nullable(),
  implements_decision_id: z.string().nullable(),
  session_id: z.string().nullable(),
  user_id: z.string(),
  created_at: isoTime,
});
export type FileChangeView = z.output<typeof fileChangeViewSchema>;

export function fileChangeView(change: FileChange): FileChangeView {
  return {
    change_id: change.id,
    file_path: change.filePath,
    action: change.action,
    reason: change.reason,
    diff: change.diff,
    diff_truncated: change.diffTruncated,
    related_files: change.relatedFiles,
    line_range: change.lineRange,
    implements_decision_id: change.implementsDecisionId,
    session_id: change.sessionId,
    user_id: change.userId,
    created_at: iso(change.createdAt),
  };
}

/** A secret removed before storage: which field, what kind, how many. */
export const redactionsSchema = z.array(z.looseObject({ field: z.string(), kind: z.string(), count: z.number() }));

/**
 * A page of a listing. `next_cursor` is null on the last page; `truncated` says whether more records exist
 * beyond this page, so a client never mistakes a cut list for the whole one.
 */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable(), truncated: z.boolean() });
}

export function pageView<T, V>(page: { items: T[]; nextCursor: string | null }, view: (item: T) => V) {
  return { items: page.items.map(view), next_cursor: page.nextCursor, truncated: page.nextCursor !== null };
}
