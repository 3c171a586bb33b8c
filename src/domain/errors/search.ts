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
import { errorFingerprint, extractErrorType } from "./normalize";
import { redactSecrets } from "../core/redaction";
import { errorEmbeddingText, queryEmbeddingText } from "./text";
import type { Runtime } from "../core/ports";
import type { ErrorStore, LexicalCandidates, TermStatistics } from "./ports";
import {
  analyseQuery,
  analyseRecord,
  bm25f,
  frameSimilarity,
  inverseDocumentFrequency,
  weightedTerms,
  type AnalysedQuery,
} from "./ranking";
import type { ErrorRecord, Project } from "../core/records";
import type { Embedder, Reranker, VectorIndex } from "../vectors/ports";
import { CONFIDENCE_THRESHOLDS, confidenceOf, round, type Confidence } from "./confidence";

export { CONFIDENCE_THRESHOLDS, type Confidence };

/**
 * The lexical score, 0..1: BM25F relative to the best candidate (BM25 alone is scale-free: its value depends on
 * corpus size), the share of the query's information (term weight · IDF) the error contains, which is absolute
 * ("the rare words match"), and, when the query has a stack trace, how well the two traces line up.
 */
export const LEXICAL_WEIGHTS = {
  withFrames: { bm25: 0.5, coverage: 0.2, frames: 0.3 },
  withoutFrames: { bm25: 0.7, coverage: 0.3, frames: 0 },
} as const;
/**
 * hybrid = (1 − w) · lexical + w · vector, where w is the embedder's own `searchWeight` (its measured value;
 * DEFAULT_VECTOR_WEIGHT when it has none).
 */
export const DEFAULT_VECTOR_WEIGHT = 0.3;
/**
 * Reranking (when a reranker is configured): its relevance replaces this share of the first-stage score of the
 * best RERANK_CANDIDATES hits. Half, because there is no local model to measure a better share on; a
 * cross-encoder sees query and error together, which the first stage never does.
 */
export const RERANK_WEIGHT = 0.5;
export const RERANK_CANDIDATES = 30;
/** A fingerprint match moves an error this share of the way to the top score. */
export const FINGERPRINT_PULL = 0.5;
/** Nearest neighbours asked of the vector index (capped by what the index allows). */
export const VECTOR_CANDIDATES = 100;
/** Lexical candidates: enough to re-rank well beyond k. */
export const MIN_LEXICAL_CANDIDATES = 50;

const OFF: RerankStatus = { state: "off", model: null };
const NO_STATISTICS: TermStatistics = { documents: 0, averageTerms: 0, docs: new Map() };

/** The query's information: the sum of its terms' weight · IDF, what weighted coverage is a share of. */
function queryInformation(query: AnalysedQuery, stats: TermStatistics): number {
  let total = 0;
  for (const [term, weight] of query.weights) total += weight * inverseDocumentFrequency(stats, term);
  return total;
}

export type SearchMode = "hybrid" | "lexical" | "vector";

export interface HitSignals {
  /** 0..1: LEXICAL_WEIGHTS blend of bm25, weighted coverage and frames. */
  lexical: number;
  /** BM25F relative to the best lexical candidate. */
  bm25: number;
  /** Share of the query's terms the error contains. */
  coverage: number;
  /** 0..1: how well the two stack traces line up (0 when either has none). */
  frames: number;
  /** 0..1: the reranker's relevance, or null when no reranker scored it. */
  rerank: number | null;
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

export interface RerankStatus {
  /** used: the best hits were reranked; unavailable: the reranker failed (first-stage order kept); off: none. */
  state: "used" | "unavailable" | "off";
  model: string | null;
  reason?: string;
}

export interface ErrorSearchResult {
  hits: ErrorSearchHit[];
  mode: SearchMode;
  vector: VectorSearchStatus;
  rerank: RerankStatus;
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
    /** Built on first use, so a misconfigured reranker fails (softly) only the searches that would rerank. */
    private readonly reranker: () => Reranker | null = () => null,
  ) {}

  get model(): string {
    return this.embedder.id;
  }

  /** The vector signal's share of a hybrid score: what the embedder's measured value warrants. */
  get vectorWeight(): number {
    return this.embedder.searchWeight ?? DEFAULT_VECTOR_WEIGHT;
  }

  async search(project: Project, rawQuery: string, options: ErrorSearchOptions): Promise<ErrorSearchResult> {
    // A pasted error may carry secrets: its terms and embedding come from the redacted text, like stored errors'.
    const query = redactSecrets(rawQuery).text;
    const analysed = analyseQuery(query);
    const terms = [...analysed.weights.keys()];
    const useVectors = options.mode !== "lexical";
    const useLexical = options.mode !== "vector";
    // One extra candidate so that leaving out `excludeErrorId` still leaves k.
    const wanted = options.k + (options.excludeErrorId ? 1 : 0);

    // Candidates and the statistics to score them with come in one round trip.
    const lexicalSearch = async (): Promise<LexicalCandidates> =>
      terms.length
        ? this.store.searchErrorsLexical(project.id, weightedTerms(analysed), {
            limit: Math.max(wanted * 4, MIN_LEXICAL_CANDIDATES),
            filters: options.filters,
          })
        : { stats: NO_STATISTICS, candidates: [] };
    const [lexical, vector, pendingErrors, fingerprints] = await Promise.all([
      useLexical ? lexicalSearch() : Promise.resolve({ stats: NO_STATISTICS, candidates: [] }),
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

    // The second stage: every candidate scored again with all query terms, by field, and by its frames.
    const { stats } = lexical;
    const rescored = new Map<string, { bm25f: number; frames: number }>();
    const rescore = (error: ErrorRecord) => {
      const record = analyseRecord(error);
      const value = { bm25f: bm25f(analysed, record, stats), frames: frameSimilarity(analysed, record, stats) };
      rescored.set(error.id, value);
      return value;
    };
    for (const { error } of lexical.candidates) rescore(error);
    const bestBm25f = Math.max(0, ...[...rescored.values()].map((value) => value.bm25f));
    const information = queryInformation(analysed, stats);
    const queryTerms = new Set(terms);
    const minSimilarity = this.embedder.minSimilarity ?? 0;
    const hits: ErrorSearchHit[] = [];
    const score = (error: ErrorRecord, lexicalCandidate: boolean) => {
      if (error.id === options.excludeErrorId) return;
      const hit = this.scoreCandidate(error, lexicalCandidate, rescored.get(error.id) ?? rescore(error), {
        bestBm25f,
        information,
        analysed,
        stats,
        queryTerms,
        queryHasFrames: analysed.frames.length > 0,
        fingerprints,
        vectorScores,
        vectorUsed: vectorStatus.state === "used",
        mode: options.mode,
        minSimilarity,
      });
      if (hit) hits.push(hit);
    };
    for (const { error } of lexical.candidates) score(error, true);

    // Errors only the vector index found are fetched by id, in one read, and only those that could still enter
    // the top k: without lexical evidence a hybrid score is at most VECTOR · cosine + LEXICAL (a bound on the
    // lexical share they might still get from the second stage), and the k-th score can only rise from here.
    const seen = new Set(lexical.candidates.map((candidate) => candidate.error.id));
    const best = hits.map((hit) => hit.score).sort((a, b) => b - a);
    const kth = best.length >= wanted ? (best[wanted - 1] ?? 0) : -1;
    const ceiling = (similarity: number) =>
      options.mode === "vector" ? similarity : this.vectorWeight * similarity + (1 - this.vectorWeight);
    const vectorOnly = [...vectorScores]
      .filter(([id, similarity]) => !seen.has(id) && similarity >= minSimilarity && ceiling(similarity) >= kth)
      .sort((a, b) => b[1] - a[1])
      .map(([id]) => id);
    if (vectorOnly.length) {
      for (const error of await this.store.getErrorsByIds(project.id, vectorOnly)) {
        if (matchesErrorFilters(error, options.filters)) score(error, false);
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
    const rerank = options.mode === "vector" ? OFF : await this.rerank(query, hits);
    const top = hits.slice(0, options.k);
    for (const hit of top) hit.sharedFrames = sharedFrames(queryFeatures, hit.error);
    return { hits: top, mode: options.mode, vector: vectorStatus, rerank };
  }

  /** Reorders the best hits (in place) by the reranker's relevance blended with their first-stage score. */
  private async rerank(query: string, hits: ErrorSearchHit[]): Promise<RerankStatus> {
    let reranker: Reranker | null;
    try {
      reranker = this.reranker();
    } catch (cause) {
      return { state: "unavailable", model: null, reason: cause instanceof Error ? cause.message : String(cause) };
    }
    if (!reranker || hits.length === 0) return reranker ? { state: "used", model: reranker.id } : OFF;
    const best = hits.slice(0, RERANK_CANDIDATES);
    try {
      const scores = await reranker.rerank(
        queryEmbeddingText(query),
        best.map((hit) => errorEmbeddingText(hit.error)),
      );
      best.forEach((hit, index) => {
        const relevance = Math.min(1, Math.max(0, scores[index] ?? 0));
        hit.signals.rerank = round(relevance);
        hit.score = round((1 - RERANK_WEIGHT) * hit.score + RERANK_WEIGHT * relevance);
      });
      best.sort((a, b) => b.score - a.score || (a.error.id < b.error.id ? -1 : 1));
      hits.splice(0, best.length, ...best);
      return { state: "used", model: reranker.id };
    } catch (cause) {
      // A reranker outage must not take search down: the first-stage order stands.
      const reason = cause instanceof Error ? cause.message : String(cause);
      return { state: "unavailable", model: reranker.id, reason };
    }
  }

  private scoreCandidate(
    error: ErrorRecord,
    lexicalCandidate: boolean,
    rescored: { bm25f: number; frames: number },
    context: {
      bestBm25f: number;
      information: number;
      analysed: AnalysedQuery;
      stats: TermStatistics;
      queryTerms: Set<string>;
      queryHasFrames: boolean;
      fingerprints: Set<string>;
      vectorScores: Map<string, number>;
      vectorUsed: boolean;
      mode: SearchMode;
      minSimilarity: number;
    },
  ): ErrorSearchHit | null {
    const { queryTerms, fingerprints, vectorScores, mode } = context;
    const docTerms = new Set(error.searchTerms.split(" "));
    const matchedTerms = [...queryTerms].filter((term) => docTerms.has(term));
    const coverage = queryTerms.size ? matchedTerms.length / queryTerms.size : 0;
    // The share of the query's information (weight · IDF) the error contains: rare shared terms count most.
    const matchedInformation = matchedTerms.reduce(
      (sum, term) => sum + (context.analysed.weights.get(term) ?? 0) * inverseDocumentFrequency(context.stats, term),
      0,
    );
    const weightedCoverage = context.information > 0 ? matchedInformation / context.information : 0;
    const relativeBm25 = context.bestBm25f > 0 ? rescored.bm25f / context.bestBm25f : 0;
    const weights = context.queryHasFrames ? LEXICAL_WEIGHTS.withFrames : LEXICAL_WEIGHTS.withoutFrames;
    const lexicalScore =
      rescored.bm25f > 0 || rescored.frames > 0
        ? weights.bm25 * relativeBm25 + weights.coverage * weightedCoverage + weights.frames * rescored.frames
        : 0;
    const indexed = error.vectorModel === this.embedder.id;
    // An indexed error outside the nearest neighbours is far from the query: its similarity counts as 0.
    const vectorScore = context.vectorUsed && indexed ? Math.max(0, vectorScores.get(error.id) ?? 0) : null;
    const sameError = fingerprints.has(error.fingerprint) ? 1 : 0;

    let score: number;
    if (mode === "vector") score = vectorScore ?? 0;
    else if (mode === "lexical" || vectorScore === null) score = lexicalScore;
    // Without a vector the lexical evidence stands alone rather than being discounted.
    else score = (1 - this.vectorWeight) * lexicalScore + this.vectorWeight * vectorScore;
    // The same fingerprint is the strongest single piece of evidence, but not proof: it moves the error up by
    // half the distance to the top rather than forcing it there (a fingerprint can still merge two bugs).
    if (sameError) score = score + (1 - score) * FINGERPRINT_PULL;
    if (score <= 0) return null;
    // Found by its vector alone, below the model's noise level: nothing connects it to the query.
    if (!sameError && !lexicalCandidate && (vectorScore ?? 0) < context.minSimilarity) return null;

    const matchedBy: ErrorSearchHit["matchedBy"] = [];
    if (lexicalCandidate) matchedBy.push("lexical");
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
        frames: round(rescored.frames),
        rerank: null,
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
    /** lexical: keywords and fingerprint only, one round trip (what recording an error answers with). */
    mode: Exclude<SearchMode, "vector"> = "hybrid",
  ): Promise<{ suggestions: SolutionSuggestion[]; vector: VectorSearchStatus }> {
    const query = "error" in source ? errorEmbeddingText({ ...source.error, tags: [] }) : source.text;
    const own = "error" in source && source.error.resolved && source.error.solution ? source.error : null;
    const result = await this.search(project, query, {
      k: Math.max(limit * 3, 10),
      mode,
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
