/** Text helpers shared by the parsers, the classifiers and the pattern rules. */

import { MAX_LINE_CHARS, MAX_NAME_CHARS, MAX_NAMES_IN_EVIDENCE, MAX_SOURCE_CHARS } from "./model";

/** Lower-cased words, with camelCase and PascalCase split ("OrdersDB" → orders, db). */
export function words(text: string): string[] {
  return text
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, "$1 $2")
    .replace(/(\p{Lu}+)(\p{Lu}\p{Ll})/gu, "$1 $2")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

export function adjacent(tokens: readonly string[], first: string, second: string): boolean {
  for (let index = 0; index + 1 < tokens.length; index++) {
    if (tokens[index] === first && tokens[index + 1] === second) return true;
  }
  return false;
}

const HTML_ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', nbsp: " " };

/** A display name as a reader sees it: no quotes, markup, line-break escapes or icon codes. */
export function cleanText(raw: string): string {
  let text = raw.trim();
  const quote = text[0];
  if (text.length >= 2 && (quote === '"' || quote === "'" || quote === "`") && text.endsWith(quote)) {
    text = text.slice(1, -1).trim();
  }
  // Mermaid markdown strings are written "`…`"; the backticks are syntax, not text.
  if (text.length >= 2 && text.startsWith("`") && text.endsWith("`")) text = text.slice(1, -1);
  text = text
    .replace(/<br\s*\/?>/gi, " ")
    .replace(/\\[nlr]/g, " ")
    .replace(/<\/?[A-Za-z][^<>]{0,200}>/g, "")
    .replace(/\bfa:fa-[\w-]+/g, "")
    .replace(/#quot;/g, '"')
    .replace(/&(amp|lt|gt|quot|nbsp);/g, (_match, entity: string) => HTML_ENTITIES[entity] ?? "")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > MAX_NAME_CHARS ? text.slice(0, MAX_NAME_CHARS).trimEnd() : text;
}

/**
 * `capLines` is off only for the DOT and D2 tokenizers, which do not care about line breaks and must read a diagram
 * minified onto one line.
 */
export function splitLines(source: string, capLines = true): string[] {
  const text = source.length > MAX_SOURCE_CHARS ? source.slice(0, MAX_SOURCE_CHARS) : source;
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  return capLines ? lines.map((line) => (line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line)) : lines;
}

export function listNames(names: readonly string[]): string {
  if (names.length <= MAX_NAMES_IN_EVIDENCE) return names.join(", ");
  return `${names.slice(0, MAX_NAMES_IN_EVIDENCE).join(", ")} and ${names.length - MAX_NAMES_IN_EVIDENCE} more`;
}

/** Long vocabularies read better as one space-separated string than as one quoted word per line. */
export function wordList(text: string): readonly string[] {
  return text.split(" ");
}

export function wordSet(text: string): ReadonlySet<string> {
  return new Set(wordList(text));
}
