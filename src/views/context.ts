import { z } from "zod";
import { estimateTokens, type ProjectContext } from "../domain/context/context";
import type { CompressionResult } from "../domain/llm/context-compression";
import type { StaleFile } from "../domain/context/ports";
import { heldApproval, heldApprovalNote, llmResultView } from "./llm";
import type { ToolOutput } from "./output";
import { iso, isoTime } from "./records";

const staleFileSchema = z.object({ path: z.string(), changed_at: isoTime, deleted: z.boolean() });
/** Present on a memory whose files changed in the code index since it was recorded. */
const possiblyStale = z.array(staleFileSchema).optional();

/** Section names of `omitted`, as the context's fields are named. */
const SECTION_NAMES = {
  architecture: "architecture",
  openErrors: "open_errors",
  decisions: "decisions",
  resolvedErrors: "resolved_errors",
  recentChanges: "recent_changes",
  hotFiles: "hot_files",
} as const;

export const contextViewSchema = z.object({
  project_id: z.string(),
  focus: z.string().nullable(),
  active_session: z
    .object({
      session_id: z.string(),
      user_id: z.string(),
      description: z.string(),
      started_at: isoTime,
      expires_at: isoTime,
    })
    .nullable(),
  stack: z.array(z.object({ name: z.string(), evidence: z.array(z.string()), file_count: z.number() })),
  totals: z.object({
    file_changes: z.number(),
    errors: z.number(),
    open_errors: z.number(),
    decisions: z.number(),
    sessions: z.number(),
  }),
  architecture: z.array(
    z.object({
      diagram_id: z.string(),
      title: z.string(),
      pattern: z.string(),
      confidence: z.string(),
      components: z.array(z.string()),
      connections: z.number(),
    }),
  ),
  open_errors: z.array(
    z.object({
      error_id: z.string(),
      error_type: z.string(),
      message: z.string(),
      file_path: z.string().nullable(),
      occurrences: z.number(),
      possibly_stale: possiblyStale,
    }),
  ),
  decisions: z.array(
    z.object({
      decision_id: z.string(),
      decision: z.string(),
      rationale: z.string(),
      alternatives: z.array(z.string()),
      confidence: z.number(),
      possibly_stale: possiblyStale,
    }),
  ),
  resolved_errors: z.array(
    z.object({
      error_id: z.string(),
      error_type: z.string(),
      message: z.string(),
      solution: z.string(),
      occurrences: z.number(),
      possibly_stale: possiblyStale,
    }),
  ),
  recent_changes: z.array(
    z.object({
      change_id: z.string(),
      file_path: z.string(),
      action: z.string(),
      reason: z.string(),
      created_at: isoTime,
    }),
  ),
  hot_files: z.array(z.object({ file_path: z.string(), changes: z.number() })),
  /** Items left out per section to stay within the budget; `truncated` says whether any were. */
  omitted: z.record(z.string(), z.number()),
  truncated: z.boolean(),
  token_budget: z.number(),
  estimated_tokens: z.number(),
  markdown: z.string(),
});
export type ContextView = z.output<typeof contextViewSchema>;

function staleView(files: StaleFile[] | undefined) {
  return files?.length
    ? {
        possibly_stale: files.map((file) => ({
          path: file.path,
          changed_at: iso(file.changedAt),
          deleted: file.deleted,
        })),
      }
    : {};
}

/** The project context as tools and REST return it; `markdown` may be replaced (compression). */
export function contextView(context: ProjectContext, markdown: string = context.markdown): ContextView {
  const omitted = Object.fromEntries(
    Object.entries(context.omitted).map(([key, count]) => [
      SECTION_NAMES[key as keyof typeof SECTION_NAMES] ?? key,
      count,
    ]),
  );
  const active = context.activeSession;
  return {
    project_id: context.project,
    focus: context.focus,
    active_session: active && {
      session_id: active.id,
      user_id: active.userId,
      description: active.description,
      started_at: iso(active.startedAt),
      expires_at: iso(active.expiresAt),
    },
    stack: context.stack.map((item) => ({ name: item.name, evidence: item.evidence, file_count: item.fileCount })),
    totals: {
      file_changes: context.totals.changes,
      errors: context.totals.errors,
      open_errors: context.totals.openErrors,
      decisions: context.totals.decisions,
      sessions: context.totals.sessions,
    },
    architecture: context.architecture.map((a) => ({
      diagram_id: a.id,
      title: a.title,
      pattern: a.pattern,
      confidence: a.confidence,
      components: a.components,
      connections: a.connections,
    })),
    open_errors: context.openErrors.map((e) => ({
      error_id: e.id,
      error_type: e.errorType,
      message: e.message,
      file_path: e.filePath,
      occurrences: e.occurrences,
      ...staleView(e.possiblyStale),
    })),
    decisions: context.decisions.map((d) => ({
      decision_id: d.id,
      decision: d.decision,
      rationale: d.rationale,
      alternatives: d.alternatives,
      confidence: d.confidence,
      ...staleView(d.possiblyStale),
    })),
    resolved_errors: context.resolvedErrors.map((e) => ({
      error_id: e.id,
      error_type: e.errorType,
      message: e.message,
      solution: e.solution,
      occurrences: e.occurrences,
      ...staleView(e.possiblyStale),
    })),
    recent_changes: context.recentChanges.map((c) => ({
      change_id: c.id,
      file_path: c.filePath,
      action: c.action,
      reason: c.reason,
      created_at: c.createdAt,
    })),
    hot_files: context.hotFiles.map((f) => ({ file_path: f.filePath, changes: f.changes })),
    omitted,
    truncated: Object.keys(omitted).length > 0,
    token_budget: context.tokenBudget,
    estimated_tokens: markdown === context.markdown ? context.estimatedTokens : estimateTokens(markdown),
    markdown,
  };
}

/** The context with compress: the compressed text when it is ready, else the full context and why not. */
export function contextOutput(context: ProjectContext, compression: CompressionResult): ToolOutput {
  const { markdown } = context;
  const view = compressionView(compression);
  if (compression.state === "ready") {
    return {
      data: { ...contextView(context, compression.markdown), compression: view },
      text: compression.markdown,
    };
  }
  if (compression.state === "approval_required") {
    return {
      ...heldApproval("compression of the project context", compression.approval),
      data: { ...contextView(context), compression: view },
      text: `${markdown}\n\n${heldApprovalNote("compressing the full context", compression.approval)}`,
    };
  }
  return { data: { ...contextView(context), compression: view }, text: markdown };
}

/** How the compression went: the model's cost and the size it started from, held for approval, or skipped. */
function compressionView(result: CompressionResult) {
  return llmResultView(result, (ready) => ({
    fields: { source_tokens: ready.sourceTokens },
    budgetWarning: ready.warning,
  }));
}
