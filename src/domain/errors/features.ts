/**
 * Structural features of an error text: what an error memory should compare, beyond shared words.
 *
 * Two failures of one bug rarely share their message, but they share where they happen: the classes and
 * methods on the stack, the test class exercising the buggy code, the words those identifiers are made of.
 * Features are typed strings so that a class name in a frame and the same word in a message stay distinct:
 * - `t:` the exception class (simple name: `java.lang.NullPointerException` → `nullpointerexception`);
 * - `m:` stemmed message words, `g:` character 4-grams of the normalised message (catches shared literals
 *   and inflections that word matching misses);
 * - `f:` `class.method` of each of the top frames, `c:` its class (module or file for languages without
 *   classes), `c:` also the class under test of a test class (`KeyedObjectsTests` → `keyedobjects`),
 *   `w:` the stemmed camelCase/snake_case words of class and method.
 * Each feature has a weight (its evidence value), documented in FEATURE_WEIGHTS.
 */
import {
  errorSearchTerms,
  extractErrorType,
  frameOwnerAndMethod,
  messageWithoutTrace,
  normalizeErrorText,
  parseStackFrames,
} from "./normalize";

export const FEATURE_WEIGHTS = {
  type: 0.5,
  messageWord: 0.5,
  messageGram: 0.25,
  frame: 1,
  frameClass: 1,
  classUnderTest: 0.5,
  frameWord: 1,
} as const;

/** Frames below these rarely say where the bug is; they are the caller's caller's caller. */
export const MAX_FEATURE_FRAMES = 8;
const MAX_GRAM_SOURCE_CHARS = 600;

export type ErrorFeatures = Map<string, { weight: number; count: number }>;

/** A light suffix stripper: enough to make "escaping", "escaped" and "escapes" one feature. */
export function stemWord(word: string): string {
  const singular = word.endsWith("ies")
    ? `${word.slice(0, -3)}y`
    : /(?:ss|x|z|ch|sh)es$/.test(word)
      ? word.slice(0, -2)
      : word.replace(/([^s])s$/, "$1");
  const stemmed = singular
    .replace(/(?:ations?|ings?|ions?|ed|ers?|ly)$/, "")
    .replace(/e$/, "")
    .replace(/(.)\1$/, "$1");
  return stemmed.length >= 3 ? stemmed : word;
}

function identifierWords(identifier: string): string[] {
  const words = identifier.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+/g) ?? [];
  return words
    .map((word) => word.toLowerCase())
    .filter((word) => word.length > 1 && word !== "test" && word !== "tests");
}

function simpleTypeName(errorType: string): string {
  return (errorType.split(/[.:]/).pop() ?? "").trim().toLowerCase();
}

export function errorFeatures(text: string, errorType?: string | null): ErrorFeatures {
  const features: ErrorFeatures = new Map();
  const add = (feature: string, weight: number) => {
    const existing = features.get(feature);
    if (existing) {
      existing.count += 1;
      existing.weight = Math.max(existing.weight, weight);
    } else features.set(feature, { weight, count: 1 });
  };

  const type = simpleTypeName(errorType ?? extractErrorType(text) ?? "");
  if (type) add(`t:${type}`, FEATURE_WEIGHTS.type);

  // The message without a leading "pkg.SomeError:" (already the type feature) and without the pasted trace.
  const message = messageWithoutTrace(text)
    .replace(/^\s*[\w$.]*(?:Error|Exception|Failure|Warning)\b\s*:?/, "")
    .slice(0, 4_000);
  for (const term of errorSearchTerms(message)) add(`m:${stemWord(term)}`, FEATURE_WEIGHTS.messageWord);
  const gramSource = ` ${normalizeErrorText(message).slice(0, MAX_GRAM_SOURCE_CHARS)} `;
  for (let index = 0; index + 4 <= gramSource.length; index += 1) {
    add(`g:${gramSource.slice(index, index + 4)}`, FEATURE_WEIGHTS.messageGram);
  }

  for (const frame of parseStackFrames(text, { preserveCase: true }).slice(0, MAX_FEATURE_FRAMES)) {
    const { owner, method } = frameOwnerAndMethod(frame);
    if (!method && !owner) continue;
    add(`f:${owner}.${method}`.toLowerCase(), FEATURE_WEIGHTS.frame);
    if (owner) add(`c:${owner.toLowerCase()}`, FEATURE_WEIGHTS.frameClass);
    const underTest = /^(.+?)_?(?:Tests?|TestCase|Spec)$|^[Tt]est_?(.+)$/.exec(owner);
    const subject = underTest?.[1] ?? underTest?.[2];
    if (subject) add(`c:${subject.toLowerCase()}`, FEATURE_WEIGHTS.classUnderTest);
    for (const word of [...identifierWords(owner), ...identifierWords(method)]) {
      add(`w:${stemWord(word)}`, FEATURE_WEIGHTS.frameWord);
    }
  }
  return features;
}
