import type { ErrorRecord } from "./records";

export interface ErrorSearchHit {
  error: ErrorRecord;
  /** 0..1, higher is better. */
  score: number;
  /** Each signal's contribution, so a user can see why an error matched. */
  signals: Record<string, number>;
}

/**
 * Weighted blend of signals. BM25 alone is scale-free (its value depends on corpus size; on a small project it
 * is near zero for every hit) so it is taken relative to the best hit, and blended with term coverage: the
 * share of the query's normalised terms the error contains, which reads naturally ("7 of 10 terms match").
 */
export const LEXICAL_WEIGHTS = { bm25: 0.4, coverage: 0.6 } as const;

export function rankLexical(
  candidates: Array<{ error: ErrorRecord; bm25: number }>,
  queryTerms: string[],
  k: number,
): ErrorSearchHit[] {
  if (!candidates.length) return [];
  // SQLite's bm25() is negative: more negative = better.
  const best = Math.min(...candidates.map((c) => c.bm25));
  const wanted = new Set(queryTerms);
  return candidates
    .map(({ error, bm25 }) => {
      const relative = best < 0 ? bm25 / best : 1;
      const docTerms = new Set(error.searchTerms.split(" "));
      let matched = 0;
      for (const term of wanted) if (docTerms.has(term)) matched += 1;
      const coverage = wanted.size ? matched / wanted.size : 0;
      const score = LEXICAL_WEIGHTS.bm25 * relative + LEXICAL_WEIGHTS.coverage * coverage;
      return { error, score: round(score), signals: { bm25: round(relative), coverage: round(coverage) } };
    })
    .sort(
      (a, b) => b.score - a.score || b.error.occurrences - a.error.occurrences || b.error.lastSeen - a.error.lastSeen,
    )
    .slice(0, k);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
