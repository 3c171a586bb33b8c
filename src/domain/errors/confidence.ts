/**
 * How far to trust a suggested fix, in a level and in words: the same error's own fix, or a similar error's by
 * how similar it is, raised when the fix resolved several errors and lowered when the error came back after it.
 */
export type Confidence = "high" | "medium" | "low";

/** Similarity bands for confidence, on the absolute similarity of a hit. */
export const CONFIDENCE_THRESHOLDS = { high: 0.75, medium: 0.5, minimum: 0.3 } as const;

export function confidenceOf(
  score: number,
  sameError: boolean,
  resolvedErrors: number,
  recurredAfterFix: boolean,
): { confidence: Confidence; basis: string } {
  const reasons: string[] = [];
  let level: number;
  if (sameError) {
    level = 2;
    reasons.push("the fix recorded for this same error");
  } else if (score >= CONFIDENCE_THRESHOLDS.high) {
    level = 2;
    reasons.push(`a very similar error (similarity ${round(score)})`);
  } else if (score >= CONFIDENCE_THRESHOLDS.medium) {
    level = 1;
    reasons.push(`a similar error (similarity ${round(score)})`);
  } else {
    level = 0;
    reasons.push(`a loosely similar error (similarity ${round(score)})`);
  }
  if (resolvedErrors > 1) {
    level += 1;
    reasons.push(`the same fix resolved ${resolvedErrors} similar errors`);
  }
  if (recurredAfterFix) {
    level -= 1;
    reasons.push("the error came back after this fix");
  }
  const confidence: Confidence = level >= 2 ? "high" : level === 1 ? "medium" : "low";
  return { confidence, basis: reasons.join("; ") };
}

/** Scores are reported to three decimals. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
