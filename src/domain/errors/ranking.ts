/**
 * The second stage of lexical error search: every candidate the index found is scored again with all of the
 * query's terms, weighted by where they occur (BM25F) and by how the two stack traces line up (a TraceSim-like
 * frame similarity). The index's first stage only picks candidates; it works on the rarest terms alone, which
 * keeps it cheap but drops about half the terms a query shares with its answer.
 *
 * Why fields: a word in the exception class, the message or the error's own innermost frames names the bug;
 * the same word in a runtime or test-harness frame (`java.util`, `junit.framework.Assert`, `node_modules`) is
 * shared by unrelated failures. Why frame order: the innermost frames of one's own code say where the bug is;
 * frames further out are the caller's caller (Brodie et al. 2005; TraceSim, Vasiliev et al. 2020; FaST,
 * Sabor et al. 2022 weight matched frames by position and by rarity, as done here).
 */
import {
  extractErrorType,
  frameOwnerAndMethod,
  lexicalTerms,
  messageWithoutTrace,
  parseStackFrames,
  type StackFrame,
} from "./normalize";
import type { ErrorRecord } from "../core/records";
import type { TermStatistics, WeightedTerm } from "./ports";

/**
 * Field weights of BM25F (Robertson, Zaragoza & Taylor 2004): a term's weight in a record is the weight of the
 * strongest field it occurs in. Library frames count a quarter: they are evidence, but weak. A report without a
 * stack trace is prose: its first line is its summary, which names the problem more than the body does (REP,
 * Sun et al. 2011, weights a bug report's summary over its description). With a trace the first line is the
 * exception line, already the type and message: weighting it again lost 3 points hit@1 on the Defects4J set,
 * while the summary weight gained 2.6 on the prose set (bench/search-quality.mjs).
 */
export const FIELD_WEIGHTS = {
  type: 1,
  summary: 1.5,
  message: 1,
  ownFrame: 1,
  libraryFrame: 0.25,
  file: 1,
  other: 1,
} as const;
/**
 * BM25's k1 and b (FTS5's defaults), and k3, which saturates a term repeated in the query: low, because a pasted
 * trace repeats its package names in every frame, which makes them frequent, not important.
 */
const K1 = 1.2;
const B = 0.75;
const K3 = 1.2;
/** Frames compared, innermost first: deeper ones are harness and framework setup. */
export const RANKED_FRAMES = 12;
/** Only this much of a stack trace is analysed: the innermost frames are at the top. */
const MAX_ANALYSED_CHARS = 16_000;

export interface AnalysedError {
  /** Each term with its field weight (the strongest field it occurs in). */
  terms: Map<string, number>;
  /** The error's own frames (`class.method`, lowercased), innermost first. */
  frames: string[];
  /** Method-name term of each own frame, for its rarity. */
  frameTerms: string[];
}

/** Position weight of the i-th own frame: the throw site counts fully, frames further out less. */
export function framePositionWeight(index: number): number {
  return 1 / Math.sqrt(1 + index);
}

function frameKey(frame: StackFrame): { key: string; method: string } {
  const { owner, method } = frameOwnerAndMethod(frame);
  return { key: `${owner}.${method}`.toLowerCase(), method: method.toLowerCase() };
}

/** Splits an error text into BM25F fields. `extraTerms` (a record's stored search terms) count as `other`. */
export function analyseError(input: {
  errorType: string | null;
  message: string;
  stackTrace: string | null;
  filePath: string | null;
  extraTerms?: string;
}): AnalysedError {
  const terms = new Map<string, number>();
  const add = (term: string, weight: number) => {
    if ((terms.get(term) ?? 0) < weight) terms.set(term, weight);
  };
  const stack = (input.stackTrace?.trim() ? input.stackTrace : input.message).slice(0, MAX_ANALYSED_CHARS);
  const parsedFrames = parseStackFrames(stack, { preserveCase: true }).slice(0, RANKED_FRAMES * 2);
  const type = input.errorType ?? extractErrorType(input.message) ?? "";
  for (const term of lexicalTerms(type)) add(term, FIELD_WEIGHTS.type);
  const message = messageWithoutTrace(input.message.slice(0, MAX_ANALYSED_CHARS));
  if (!parsedFrames.length) {
    const summary = message.split("\n").find((line) => line.trim()) ?? "";
    for (const term of lexicalTerms(summary)) add(term, FIELD_WEIGHTS.summary);
  }
  for (const term of lexicalTerms(message)) add(term, FIELD_WEIGHTS.message);
  if (input.filePath) for (const term of lexicalTerms(input.filePath)) add(term, FIELD_WEIGHTS.file);

  const frames: string[] = [];
  const frameTerms: string[] = [];
  for (const frame of parsedFrames) {
    const frameText = `${frame.functionName} ${frame.file}`;
    if (frame.library) {
      for (const term of lexicalTerms(frameText)) add(term, FIELD_WEIGHTS.libraryFrame);
      continue;
    }
    if (frames.length >= RANKED_FRAMES) continue;
    const weight = FIELD_WEIGHTS.ownFrame * framePositionWeight(frames.length);
    for (const term of lexicalTerms(frameText)) add(term, weight);
    const { key, method } = frameKey(frame);
    frames.push(key);
    frameTerms.push(method);
  }
  // The rest of the trace's text (a message's further lines, a prose report's body); frame lines are left
  // out, or a harness frame would count in full here.
  for (const term of lexicalTerms(withoutFrameLines(stack))) add(term, FIELD_WEIGHTS.other);
  // Stored terms the fields did not yield (tags, a screenshot's context) count as the rest of the text.
  for (const term of input.extraTerms ? input.extraTerms.split(" ") : []) {
    if (term && !terms.has(term)) terms.set(term, FIELD_WEIGHTS.other);
  }
  return { terms, frames, frameTerms };
}

/** Stack-frame lines of every runtime parseStackFrames reads (its locations included). */
const FRAME_LINE =
  /^\s*(?:at\s|File "|from\s\S+:\d+|#\d+\s|\d+:\s|\S+\.(?:go|rs|rb):\d+|[\w$.<>/]+\([^()]*:\d+\)\s*$|[^@\s]*@\S+:\d+)/;

function withoutFrameLines(text: string): string {
  return text
    .split("\n")
    .filter((line) => !FRAME_LINE.test(line))
    .join("\n");
}

export function analyseRecord(error: ErrorRecord): AnalysedError {
  return analyseError({
    errorType: error.errorType,
    message: error.message,
    stackTrace: error.stackTrace,
    filePath: error.filePath,
    extraTerms: error.searchTerms,
  });
}

/** How often each term occurs in the text (a pasted trace repeats the names of the code it passes through). */
export function queryTermCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.slice(0, 64_000).split("\n")) {
    for (const term of lexicalTerms(line)) counts.set(term, (counts.get(term) ?? 0) + 1);
  }
  return counts;
}

export interface AnalysedQuery extends AnalysedError {
  /** Query-side weight of each term: its field weight times its saturated frequency in the query. */
  weights: Map<string, number>;
}

export function analyseQuery(text: string): AnalysedQuery {
  const analysed = analyseError({ errorType: null, message: text, stackTrace: null, filePath: null });
  const counts = queryTermCounts(text);
  const weights = new Map<string, number>();
  for (const [term, fieldWeight] of analysed.terms) {
    const count = counts.get(term) ?? 1;
    weights.set(term, (fieldWeight * (K3 + 1) * count) / (K3 + count));
  }
  return { ...analysed, weights };
}

export function inverseDocumentFrequency(stats: TermStatistics, term: string): number {
  const docs = stats.docs.get(term) ?? 0;
  if (docs === 0) return 0;
  return Math.log(1 + (stats.documents - docs + 0.5) / (docs + 0.5));
}

/** BM25F of a record for the query, over every query term, with the project's own statistics. */
export function bm25f(query: AnalysedQuery, record: AnalysedError, stats: TermStatistics): number {
  const length = record.terms.size;
  const norm = K1 * (1 - B + (B * length) / Math.max(1, stats.averageTerms));
  let score = 0;
  for (const [term, queryWeight] of query.weights) {
    const fieldWeight = record.terms.get(term);
    if (!fieldWeight) continue;
    score += inverseDocumentFrequency(stats, term) * queryWeight * ((fieldWeight * (K1 + 1)) / (fieldWeight + norm));
  }
  return score;
}

/**
 * How well two stack traces line up, 0..1: a cosine of frame vectors, each frame weighted by its position (the
 * innermost count most) and its rarity in the project (a frame every failure passes through counts little),
 * and a matched pair discounted by how far apart the two positions are. 0 when either side has no own frames.
 */
export function frameSimilarity(query: AnalysedError, record: AnalysedError, stats: TermStatistics): number {
  if (!query.frames.length || !record.frames.length) return 0;
  const rarity = (term: string | undefined) => {
    const idf = term ? inverseDocumentFrequency(stats, term) : 0;
    // A method no other error has is as rare as it gets: the largest IDF the project allows.
    return idf > 0 ? idf : Math.log(1 + (stats.documents + 0.5) / 1.5);
  };
  const weigh = (side: AnalysedError) =>
    side.frames.map((_frame, index) => framePositionWeight(index) * rarity(side.frameTerms[index]));
  const queryWeights = weigh(query);
  const recordWeights = weigh(record);
  const recordPositions = new Map<string, number>();
  record.frames.forEach((frame, index) => {
    if (!recordPositions.has(frame)) recordPositions.set(frame, index);
  });
  let dot = 0;
  const used = new Set<string>();
  query.frames.forEach((frame, index) => {
    const position = recordPositions.get(frame);
    if (position === undefined || used.has(frame)) return;
    used.add(frame);
    dot += (queryWeights[index] ?? 0) * (recordWeights[position] ?? 0) * Math.exp(-0.1 * Math.abs(index - position));
  });
  const norm = (weights: number[]) => Math.sqrt(weights.reduce((sum, weight) => sum + weight * weight, 0));
  const denominator = norm(queryWeights) * norm(recordWeights);
  return denominator > 0 ? Math.min(1, dot / denominator) : 0;
}

/**
 * Which query terms the first stage matches (the D1 store does this in SQL, the in-memory twin with
 * `matchTerms`): the most informative (weight · IDF) first, without terms in more than `commonShare` of the
 * project's errors (at least `commonMinDocs`, at most `commonMaxDocs` errors), unless among the `alwaysKept` most
 * informative, and at most `max` of them. BM25 work grows with the postings a match touches, so the cap on common
 * terms keeps a search at 100,000 errors about as cheap as at 10,000; the second stage scores every term anyway.
 */
export const MATCH_TERMS = {
  max: 24,
  alwaysKept: 2,
  commonShare: 0.2,
  commonMinDocs: 50,
  commonMaxDocs: 2_000,
} as const;

/** The query's terms with their weight, for the store. */
export function weightedTerms(query: AnalysedQuery): WeightedTerm[] {
  return [...query.weights].map(([term, weight]) => ({ term, weight }));
}

/** The terms the first stage matches, in order (see MATCH_TERMS): the reference for the D1 store's SQL. */
export function matchTerms(terms: WeightedTerm[], stats: TermStatistics): string[] {
  const common = Math.max(
    MATCH_TERMS.commonMinDocs,
    Math.min(MATCH_TERMS.commonMaxDocs, stats.documents * MATCH_TERMS.commonShare),
  );
  return terms
    .filter(({ term }) => (stats.docs.get(term) ?? 0) > 0)
    .map(({ term, weight }) => ({ term, value: weight * inverseDocumentFrequency(stats, term) }))
    .sort((a, b) => b.value - a.value || (a.term < b.term ? -1 : 1))
    .filter(({ term }, position) => position < MATCH_TERMS.alwaysKept || (stats.docs.get(term) ?? 0) <= common)
    .slice(0, MATCH_TERMS.max)
    .map(({ term }) => term);
}
