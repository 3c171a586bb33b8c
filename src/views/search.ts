import { z } from "zod";
import type { ErrorSearchHit, RerankStatus, SolutionSuggestion, VectorSearchStatus } from "../domain/errors/search";
import { iso, isoOrNull, isoTime } from "./records";
import { plural } from "../domain/core/plural";

export const hitViewSchema = z.object({
  error_id: z.string(),
  error_type: z.string(),
  message: z.string(),
  file_path: z.string().nullable(),
  line_number: z.number().nullable(),
  solution: z.string().nullable(),
  resolved: z.boolean(),
  occurrences: z.number(),
  first_seen: isoTime,
  last_seen: isoTime,
  tags: z.array(z.string()),
  score: z.number(),
  signals: z.looseObject({
    lexical: z.number(),
    bm25: z.number(),
    coverage: z.number(),
    frames: z.number(),
    rerank: z.number().nullable(),
    vector: z.number().nullable(),
    fingerprint: z.number(),
  }),
  matched_by: z.array(z.enum(["lexical", "vector", "fingerprint"])),
  matched_terms: z.array(z.string()),
  shared_frames: z.array(z.string()),
  vector_pending: z.boolean(),
  why: z.string(),
});

export const vectorStatusSchema = z.object({
  state: z.enum(["used", "unavailable", "off"]),
  model: z.string(),
  pending_errors: z.number(),
  reason: z.string().optional(),
});

export const rerankStatusSchema = z.object({
  state: z.enum(["used", "unavailable", "off"]),
  model: z.string().nullable(),
  reason: z.string().optional(),
});

export function rerankStatusView(status: RerankStatus): z.output<typeof rerankStatusSchema> {
  return { state: status.state, model: status.model, ...(status.reason ? { reason: status.reason } : {}) };
}

export const solutionViewSchema = z.object({
  solution: z.string(),
  confidence: z.enum(["high", "medium", "low"]),
  basis: z.string(),
  error_id: z.string(),
  error_type: z.string(),
  message: z.string(),
  similarity: z.number(),
  same_error: z.boolean(),
  resolved_errors: z.number(),
  recurred_after_fix: z.boolean(),
  resolved_at: isoTime.nullable(),
});

export function hitView(hit: ErrorSearchHit): z.output<typeof hitViewSchema> {
  return {
    error_id: hit.error.id,
    error_type: hit.error.errorType,
    message: hit.error.message,
    file_path: hit.error.filePath,
    line_number: hit.error.lineNumber,
    solution: hit.error.solution,
    resolved: hit.error.resolved,
    occurrences: hit.error.occurrences,
    first_seen: iso(hit.error.firstSeen),
    last_seen: iso(hit.error.lastSeen),
    tags: hit.error.tags,
    score: hit.score,
    signals: { ...hit.signals },
    matched_by: hit.matchedBy,
    matched_terms: hit.matchedTerms,
    shared_frames: hit.sharedFrames,
    vector_pending: hit.vectorPending,
    why: explain(hit),
  };
}

function explain(hit: ErrorSearchHit): string {
  const parts: string[] = [];
  if (hit.signals.fingerprint) {
    parts.push(
      "the same error by fingerprint (type, message and own frames once paths, lines and volatile values are ignored)",
    );
  }
  if (hit.matchedTerms.length) {
    parts.push(`${Math.round(hit.signals.coverage * 100)}% of the query's terms (${hit.matchedTerms.join(", ")})`);
  }
  if (hit.signals.frames > 0) parts.push(`stack traces line up (${hit.signals.frames})`);
  if (hit.signals.vector !== null) parts.push(`semantic similarity ${hit.signals.vector}`);
  if (hit.signals.rerank !== null) parts.push(`reranker relevance ${hit.signals.rerank}`);
  else if (hit.vectorPending) parts.push("keyword match only (its vector is not indexed yet)");
  if (hit.sharedFrames.length) parts.push(`shared frames: ${hit.sharedFrames.join(", ")}`);
  if (hit.error.occurrences > 1) parts.push(`recorded ${hit.error.occurrences} times`);
  return parts.join("; ");
}

export function vectorStatusView(status: VectorSearchStatus): z.output<typeof vectorStatusSchema> {
  return {
    state: status.state,
    model: status.model,
    pending_errors: status.pendingErrors,
    ...(status.reason ? { reason: status.reason } : {}),
  };
}

export function vectorStatusNote(status: VectorSearchStatus): string | null {
  if (status.state === "unavailable") {
    return `Semantic search unavailable (${status.reason ?? "unknown reason"}); results use keyword and fingerprint matching only.`;
  }
  if (status.state === "used" && status.pendingErrors > 0) {
    const one = status.pendingErrors === 1;
    return (
      `${plural(status.pendingErrors, "error")} ${one ? "is" : "are"} still being indexed for semantic search; ` +
      `${one ? "it is" : "they are"} matched by keywords and fingerprint until then.`
    );
  }
  return null;
}

export function solutionView(suggestion: SolutionSuggestion): z.output<typeof solutionViewSchema> {
  return {
    solution: suggestion.solution,
    confidence: suggestion.confidence,
    basis: suggestion.basis,
    error_id: suggestion.errorId,
    error_type: suggestion.errorType,
    message: suggestion.message,
    similarity: suggestion.similarity,
    same_error: suggestion.sameError,
    resolved_errors: suggestion.resolvedErrors,
    recurred_after_fix: suggestion.recurredAfterFix,
    resolved_at: isoOrNull(suggestion.resolvedAt),
  };
}

export function renderSolutions(solutions: Array<ReturnType<typeof solutionView>>): string {
  return solutions
    .map(
      (s, i) =>
        `${i + 1}. [${s.confidence}] ${s.solution}\n   From ${s.error_type}: ${s.message.split("\n")[0]} (${s.basis}; id ${s.error_id})`,
    )
    .join("\n");
}
