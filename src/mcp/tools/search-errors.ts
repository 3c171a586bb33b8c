import { z } from "zod";
import type { ErrorSearchHit, VectorSearchStatus } from "../../domain/error-search";
import { LIMITS } from "../../domain/limits";
import { isoDateField, scopedInput } from "../schema";
import { defineTool } from "../tool";

export const searchErrorsTool = defineTool({
  name: "coding_search_errors",
  title: "Search past errors",
  description: "Find past errors like a message, trace or description, with their fixes; search before debugging.",
  inputSchema: z.object({
    ...scopedInput,
    query: z.string().min(1).max(LIMITS.queryChars).describe("Error text or a description."),
    k: z.number().int().min(1).max(LIMITS.searchK).default(5),
    resolved_only: z.boolean().default(false),
    error_type: z.string().min(1).max(256).nullish().describe("Only this exception class."),
    file: z.string().min(1).max(LIMITS.filePathChars).nullish().describe("Only errors in this file (or path suffix)."),
    tag: z.string().min(1).max(LIMITS.tagChars).nullish(),
    since: isoDateField.nullish().describe("Only errors seen since this ISO-8601 date or date-time."),
    mode: z.enum(["hybrid", "lexical", "vector"]).default("hybrid"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "POST", path: "/errors/search" },
  async run({ services, project }, input) {
    const since = input.since ?? null;
    const result = await services.search.search(project, input.query, {
      k: input.k,
      mode: input.mode,
      filters: {
        resolvedOnly: input.resolved_only,
        errorType: input.error_type ?? null,
        file: input.file ?? null,
        tag: input.tag ?? null,
        since,
      },
    });
    const results = result.hits.map(hitView);
    const vectorNote = vectorStatusNote(result.vector);
    const data = { results, count: results.length, mode: result.mode, vector_search: vectorStatusView(result.vector) };
    if (!results.length) {
      return {
        data: { ...data, message: "No similar errors found." },
        text:
          "No similar errors found. Record this one with coding_record_error so the next occurrence is recognised." +
          (vectorNote ? `\n${vectorNote}` : ""),
      };
    }
    const text = results
      .map(
        (r, i) =>
          `${i + 1}. ${r.error_type}: ${r.message.split("\n")[0]} (seen ${r.occurrences} time${r.occurrences === 1 ? "" : "s"}, score ${r.score})` +
          (r.solution ? `\n   Fix: ${r.solution}` : "\n   Unresolved") +
          `\n   Why: ${r.why}` +
          `\n   id ${r.error_id}${r.file_path ? ` · ${r.file_path}${r.line_number ? `:${r.line_number}` : ""}` : ""}`,
      )
      .join("\n");
    return {
      data,
      text: `Found ${results.length} similar error(s):\n${text}${vectorNote ? `\n${vectorNote}` : ""}`,
    };
  },
});

export function hitView(hit: ErrorSearchHit) {
  return {
    error_id: hit.error.id,
    error_type: hit.error.errorType,
    message: hit.error.message,
    file_path: hit.error.filePath,
    line_number: hit.error.lineNumber,
    solution: hit.error.solution,
    resolved: hit.error.resolved,
    occurrences: hit.error.occurrences,
    first_seen: new Date(hit.error.firstSeen).toISOString(),
    last_seen: new Date(hit.error.lastSeen).toISOString(),
    tags: hit.error.tags,
    score: hit.score,
    signals: hit.signals,
    matched_by: hit.matchedBy,
    matched_terms: hit.matchedTerms,
    shared_frames: hit.sharedFrames,
    vector_pending: hit.vectorPending,
    why: explain(hit),
  };
}

function explain(hit: ErrorSearchHit): string {
  if (hit.signals.fingerprint)
    return "the same error (identical fingerprint once paths, numbers and values are ignored)";
  const parts: string[] = [];
  if (hit.matchedTerms.length) {
    parts.push(`${Math.round(hit.signals.coverage * 100)}% of the query's terms (${hit.matchedTerms.join(", ")})`);
  }
  if (hit.signals.vector !== null) parts.push(`semantic similarity ${hit.signals.vector}`);
  else if (hit.vectorPending) parts.push("keyword match only (its vector is not indexed yet)");
  if (hit.sharedFrames.length) parts.push(`shared frames: ${hit.sharedFrames.join(", ")}`);
  return parts.join("; ");
}

export function vectorStatusView(status: VectorSearchStatus) {
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
    return `${status.pendingErrors} error(s) are still being indexed for semantic search; they are matched by keywords and fingerprint until then.`;
  }
  return null;
}
