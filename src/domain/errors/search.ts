/**
 * Hybrid error search: lexical (FTS5 BM25 + term coverage), vector similarity and fingerprint identity, fused
 * by a documented weighted blend, and solution suggestions built on it.
 *
 * Why a weighted blend rather than reciprocal-rank fusion: both signals are already on a 0..1 scale with a
 * meaning of their own (the share of query terms an error contains; a cosine), so their values carry more than
 * their ranks. On the development sets the blend scored at least as well as RRF (k = 10 or 60) on every metric;
 * `bench/search-quality.mjs` prints all three modes.
 */
import { AppError } from "../core/app-error";
import { errorFeatures } from "./features";
import { hasFilters, matchesErrorFilters, type ErrorSearchFilters } from "./filters";
import { errorFingerprint, extractErrorType, lexicalTerms } from "./normalize";
import { redactSecrets } from "../core/redaction";
import { errorEmbeddingText, queryEmbeddingText } from "./text";
import type { Runtime } from "../core/ports";
import type { ErrorStore } from "./ports";
import type { ErrorRecord, Project } from "../core/records";
import type { Embedder, VectorIndex } from "../vectors/ports";
import { CONFIDENCE_THRESHOLDS, confidenceOf, round, type Confidence } from "./confidence";

export { CONFIDENCE_THRESHOLDS, type Confidence };

/**
 * The lexical score. BM25 alone is scale-free (its value depends on corpus size; on a small project it is near
 * zero for every hit) so it is taken relative to the best hit, and blended with term coverage: the share of the
 * query's normalised terms the error contains, which reads naturally ("7 of 10 terms match").
 */
export const LEXICAL_WEIGHTS = { bm25: 0.7, coverage: 0.3 } as const;
/** hybrid = LEXICAL · lexical + VECTOR · vector; an identical fingerprint scores 1 (the same error recurring). */
export const HYBRID_WEIGHTS = { lexical: 0.6, vector: 0.4 } as const;
/** Nearest neighbours asked of the vector index (capped by what the index allows). */
export const VECTOR_CANDIDATES = 100;
/** Lexical candidates: enough to re-rank well beyond k. */
export const MIN_LEXICAL_CANDIDATES = 50;

export type SearchMode = "hybrid" | "lexical" | "vector";

export interface HitSignals {
  /** 0..1: LEXICAL_WEIGHTS blend of bm25 and coverage. */
  lexical: number;
  /** BM25 relative to the best lexical hit (0 when the error was found by vector only). */
  bm25: number;
  /** Share of the query's normalised terms the error contains. */
  coverage: number;
  /** Cosine similarity of the embeddings, or null when this error's vector is not indexed yet. */
  vector: number | null;
  /** 1 when the query normalises to this error's fingerprint: it is the same error. */
  fingerprint: number;
}

export interface ErrorSearchHit {
  error: ErrorRecord;
  /** 0..1 ranking score (the fused blend). Relative: the best lexical hit always has bm25 1. */
  score: number;
  /**
   * 0..1 absolute similarity (term coverage and cosine, or 1 for the same fingerprint), comparable across
   * queries: what solution confidence is judged on.
   */
  similarity: number;
  signals: HitSignals;
  /** Which retrievers found it. */
  matchedBy: Array<"lexical" | "vector" | "fingerprint">;
  /** Query terms the error contains (at most 8), and stack frames/classes both share: why it matched. */
  matchedTerms: string[];
  sharedFrames: string[];
  /** Its vector is not built with the current model yet: it could only be found by keywords and fingerprint. */
  vectorPending: boolean;
}

export interface VectorSearchStatus {
  /** used: vectors took part; unavailable: the embedder or index failed (lexical only); off: mode lexical. */
  state: "used" | "unavailable" | "off";
  model: string;
  /** Errors of the project whose vector is not (yet) built with the current model: scored lexically. */
  pendingErrors: number;
  reason?: string;
}

export interface ErrorSearchResult {
  hits: ErrorSearchHit[];
  mode: SearchMode;
  vector: VectorSearchStatus;
}

export interface ErrorSearchOptions {
  k: number;
  filters: ErrorSearchFilters;
  mode: SearchMode;
  /** Leaves one error out (the error whose similar errors are asked for). */
  excludeErrorId?: string;
}

export interface SolutionSuggestion {
  solution: string;
  confidence: Confidence;
  /** Why this confidence, in words. */
  basis: string;
  /** The error whose fix this is (the best-matching one when several share the fix). */
  errorId: string;
  errorType: string;
  message: string;
  similarity: number;
  sameError: boolean;
  /** Resolved errors that share this fix; more means it worked more often. */
  resolvedErrors: number;
  /** The error came back after being resolved with this fix. */
  recurredAfterFix: boolean;
  resolvedAt: number | null;
}

export class ErrorSearchService {
  constructor(
    private readonly store: Pick<ErrorStore, "countErrorsNotVectorIndexed" | "getErrorsByIds" | "searchErrorsLexical">,
    private readonly embedder: Embedder,
    private readonly vectors: VectorIndex,
    private readonly runtime: Pick<Runtime, "sha256Hex">,
  ) {}

  get model(): string {
    return this.embedder.id;
  }

  async search(project: Project, rawQuery: string, options: ErrorSearchOptions): Promise<ErrorSearchResult> {
    // A pasted error may carry secrets: its terms and embedding come from the redacted text, like stored errors'.
    const query = redactSecrets(rawQuery).text;
    const terms = lexicalTerms(query);
    const useVectors = options.mode !== "lexical";
    const useLexical = options.mode !== "vector";
    // One extra candidate so that leaving out `excludeErrorId` still leaves k.
    const wanted = options.k + (options.excludeErrorId ? 1 : 0);

    const [lexical, vector, pendingErrors, fingerprints] = await Promise.all([
      useLexical && terms.length
        ? this.store.searchErrorsLexical(project.id, terms, {
            limit: Math.max(wanted * 4, MIN_LEXICAL_CANDIDATES),
            filters: options.filters,
          })
        : Promise.resolve([]),
      useVectors ? this.nearest(project, query, options.filters) : Promise.resolve(null),
      useVectors ? this.store.countErrorsNotVectorIndexed(project.id, this.embedder.id) : Promise.resolve(0),
      this.queryFingerprints(query),
    ]);

    const vectorStatus: VectorSearchStatus = !useVectors
      ? { state: "off", model: this.embedder.id, pendingErrors: 0 }
      : vector && "matches" in vector
        ? { state: "used", model: this.embedder.id, pendingErrors }
        : { state: "unavailable", model: this.embedder.id, pendingErrors, reason: vector?.reason ?? "" };
    if (options.mode === "vector" && vectorStatus.state === "unavailable") {
      throw new AppError("unavailable", `Vector search is unavailable: ${vectorStatus.reason}`);
    }
    const vectorScores = vector && "matches" in vector ? vector.matches : new Map<string, number>();

    const bestBm25 = Math.min(0, ...lexical.map((candidate) => candidate.bm25));
    const queryTerms = new Set(terms);
    const minSimilarity = this.embedder.minSimilarity ?? 0;
    const hits: ErrorSearchHit[] = [];
    const score = (error: ErrorRecord, bm25: number | null) => {
      if (error.id === options.excludeErrorId) return;
      const hit = this.scoreCandidate(error, bm25, {
        bestBm25,
        queryTerms,
        fingerprints,
        vectorScores,
        vectorUsed: vectorStatus.state === "used",
        mode: options.mode,
        minSimilarity,
      });
      if (hit) hits.push(hit);
    };
    for (const { error, bm25 } of lexical) score(error, bm25);

    // Errors only the vector index found are fetched by id, best first, and only while one could still enter
    // the top k: without lexical evidence a hybrid score is at most VECTOR · cosine + LEXICAL · coverage share.
    const seen = new Set(lexical.map((candidate) => candidate.error.id));
    const vectorOnly = [...vectorScores]
      .filter(([id, similarity]) => !seen.has(id) && similarity >= minSimilarity)
      .sort((a, b) => b[1] - a[1]);
    const ceiling = (similarity: number) =>
      options.mode === "vector"
        ? similarity
        : HYBRID_WEIGHTS.vector * similarity + HYBRID_WEIGHTS.lexical * LEXICAL_WEIGHTS.coverage;
    const chunk = Math.max(wanted, 10);
    for (let start = 0; start < vectorOnly.length; start += chunk) {
      const best = hits.map((hit) => hit.score).sort((a, b) => b - a);
      const kth = best.length >= wanted ? (best[wanted - 1] ?? 0) : -1;
      const next = vectorOnly.slice(start, start + chunk);
      if (ceiling(next[0]?.[1] ?? 0) < kth) break;
      for (const error of await this.store.getErrorsByIds(
        project.id,
        next.map(([id]) => id),
      )) {
        if (matchesErrorFilters(error, options.filters)) score(error, null);
      }
    }

    const queryFeatures = errorFeatures(query);
    hits.sort(
      (a, b) =>
        b.score - a.score ||
        b.error.occurrences - a.error.occurrences ||
        b.error.lastSeen - a.error.lastSeen ||
        (a.error.id < b.error.id ? -1 : 1),
    );
    const top = hits.slice(0, options.k);
    for (const hit of top) hit.sharedFrames = sharedFrames(queryFeatures, hit.error);
    return { hits: top, mode: options.mode, vector: vectorStatus };
  }

  private scoreCandidate(
    error: ErrorRecord,
    bm25: number | null,
    context: {
      bestBm25: number;
      queryTerms: Set<string>;
      fingerprints: Set<string>;
      vectorScores: Map<string, number>;
      vectorUsed: boolean;
      mode: SearchMode;
      minSimilarity: number;
    },
  ): ErrorSearchHit | null {
    const { bestBm25, queryTerms, fingerprints, vectorScores, mode } = context;
    const docTerms = new Set(error.searchTerms.split(" "));
    const matchedTerms = [...queryTerms].filter((term) => docTerms.has(term));
    const coverage = queryTerms.size ? matchedTerms.length / queryTerms.size : 0;
    const relativeBm25 = bm25 === null ? 0 : bestBm25 < 0 ? bm25 / bestBm25 : 1;
    const lexicalScore = LEXICAL_WEIGHTS.bm25 * relativeBm25 + LEXICAL_WEIGHTS.coverage * coverage;
    const indexed = error.vectorModel === this.embedder.id;
    // An indexed error outside the nearest neighbours is far from the query: its similarity counts as 0.
    const vectorScore = context.vectorUsed && indexed ? Math.max(0, vectorScores.get(error.id) ?? 0) : null;
    const sameError = fingerprints.has(error.fingerprint) ? 1 : 0;

    let score: number;
    if (sameError) score = 1;
    else if (mode === "lexical") score = lexicalScore;
    else if (mode === "vector") score = vectorScore ?? 0;
    // Without a vector the lexical evidence stands alone rather than being discounted.
    else if (vectorScore === null) score = lexicalScore;
    else score = HYBRID_WEIGHTS.lexical * lexicalScore + HYBRID_WEIGHTS.vector * vectorScore;
    if (score <= 0) return null;
    // Found by its vector alone, below the model's noise level: nothing connects it to the query.
    if (!sameError && bm25 === null && (vectorScore ?? 0) < context.minSimilarity) return null;

    const matchedBy: ErrorSearchHit["matchedBy"] = [];
    if (bm25 !== null) matchedBy.push("lexical");
    if (vectorScores.has(error.id) && vectorScore !== null) matchedBy.push("vector");
    if (sameError) matchedBy.push("fingerprint");
    const similarity = sameError ? 1 : vectorScore === null ? coverage : (coverage + vectorScore) / 2;
    return {
      error,
      score: round(Math.min(1, score)),
      similarity: round(similarity),
      signals: {
        lexical: round(lexicalScore),
        bm25: round(relativeBm25),
        coverage: round(coverage),
        vector: vectorScore === null ? null : round(vectorScore),
        fingerprint: sameError,
      },
      matchedBy,
      matchedTerms: matchedTerms.slice(0, 8),
      sharedFrames: [],
      vectorPending: !indexed,
    };
  }

  /**
   * Fixes for an error: its own (when resolved) and those of similar resolved errors, with a confidence from how
   * similar they are, how many similar errors the same fix resolved, and whether the error came back after it.
   */
  async solutionsFor(
    project: Project,
    source: { error: ErrorRecord } | { text: string },
    limit: number,
  ): Promise<{ suggestions: SolutionSuggestion[]; vector: VectorSearchStatus }> {
    const query = "error" in source ? errorEmbeddingText({ ...source.error, tags: [] }) : source.text;
    const own = "error" in source && source.error.resolved && source.error.solution ? source.error : null;
    const result = await this.search(project, query, {
      k: Math.max(limit * 3, 10),
      mode: "hybrid",
      filters: { resolvedOnly: true, errorType: null, file: null, tag: null, since: null },
      ...("error" in source ? { excludeErrorId: source.error.id } : {}),
    });

    interface Group {
      solution: string;
      best: { error: ErrorRecord; score: number; sameError: boolean };
      count: number;
    }
    const groups = new Map<string, Group>();
    const addFix = (error: ErrorRecord, score: number, sameError: boolean) => {
      if (!error.solution) return;
      const key = error.solution.trim().replace(/\s+/g, " ").toLowerCase();
      const group = groups.get(key);
      if (!group) groups.set(key, { solution: error.solution, best: { error, score, sameError }, count: 1 });
      else {
        group.count += 1;
        if (score > group.best.score) group.best = { error, score, sameError };
      }
    };
    if (own) addFix(own, 1, true);
    for (const hit of result.hits) {
      if (hit.similarity < CONFIDENCE_THRESHOLDS.minimum) continue;
      addFix(hit.error, hit.similarity, hit.signals.fingerprint === 1);
    }

    const suggestions = [...groups.values()].map((group) => {
      const { error, score, sameError } = group.best;
      const recurredAfterFix = error.resolvedAt !== null && error.lastSeen > error.resolvedAt;
      const { confidence, basis } = confidenceOf(score, sameError, group.count, recurredAfterFix);
      return {
        solution: group.solution,
        confidence,
        basis,
        errorId: error.id,
        errorType: error.errorType,
        message: error.message,
        similarity: round(score),
        sameError,
        resolvedErrors: group.count,
        recurredAfterFix,
        resolvedAt: error.resolvedAt,
      } satisfies SolutionSuggestion;
    });
    const rank = { high: 0, medium: 1, low: 2 } as const;
    suggestions.sort(
      (a, b) =>
        rank[a.confidence] - rank[b.confidence] || b.similarity - a.similarity || b.resolvedErrors - a.resolvedErrors,
    );
    return { suggestions: suggestions.slice(0, limit), vector: result.vector };
  }

  private async nearest(
    project: Project,
    query: string,
    filters: ErrorSearchFilters,
  ): Promise<{ matches: Map<string, number> } | { reason: string }> {
    try {
      const [vector] = await this.embedder.embed([queryEmbeddingText(query)]);
      if (!vector) return { matches: new Map() };
      // The index can pre-filter on what it stores as metadata; the rest is filtered on the fetched records.
      const filter: Record<string, string | boolean> = {};
      if (filters.resolvedOnly) filter.resolved = true;
      const matches = await this.vectors.query(project.id, vector, {
        topK: Math.min(VECTOR_CANDIDATES, this.vectors.capabilities.maxTopK),
        ...(hasFilters(filters) && Object.keys(filter).length ? { filter } : {}),
      });
      return { matches: new Map(matches.map((match) => [match.id, match.score])) };
    } catch (cause) {
      // A model or index outage must not take search down: lexical and fingerprint matching still work.
      const reason = cause instanceof Error ? cause.message : String(cause);
      return { reason };
    }
  }

  /** The fingerprint the query would have as a recorded error, under its qualified and its simple type name. */
  private async queryFingerprints(query: string): Promise<Set<string>> {
    const type = extractErrorType(query);
    if (!type) return new Set();
    const simple = type.split(".").pop() ?? type;
    const variants = [...new Set([type, simple])];
    const hashes = await Promise.all(
      variants.map((errorType) =>
        this.runtime.sha256Hex(errorFingerprint({ errorType, message: query, stackTrace: null })),
      ),
    );
    return new Set(hashes);
  }
}

/** Frames and classes the query and the error share, most specific first: the structural part of "why". */
function sharedFrames(queryFeatures: ReturnType<typeof errorFeatures>, error: ErrorRecord): string[] {
  if (queryFeatures.size === 0) return [];
  const errorSide = errorFeatures(errorEmbeddingText(error), error.errorType);
  const frames: string[] = [];
  const classes: string[] = [];
  for (const feature of queryFeatures.keys()) {
    if (!errorSide.has(feature)) continue;
    if (feature.startsWith("f:")) frames.push(feature.slice(2));
    else if (feature.startsWith("c:")) classes.push(feature.slice(2));
  }
  const framedClasses = new Set(frames.map((frame) => frame.split(".")[0]));
  return [...frames, ...classes.filter((name) => !framedClasses.has(name))].slice(0, 6);
}
