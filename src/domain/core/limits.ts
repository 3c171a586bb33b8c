/**
 * Payload limits. Free text a client could reasonably paste in full (diffs, stack traces) is truncated with a
 * flag in the response; short fields are rejected when over their limit so nothing is cut silently.
 */
export const LIMITS = {
  requestBodyBytes: 1_048_576,
  diffChars: 65_536,
  stackTraceChars: 32_768,
  messageChars: 8_192,
  solutionChars: 16_384,
  reasonChars: 4_096,
  descriptionChars: 2_000,
  decisionChars: 4_096,
  rationaleChars: 16_384,
  filePathChars: 1_024,
  listItems: 100,
  listItemChars: 1_024,
  tagChars: 64,
  queryChars: 262_144,
  searchK: 50,
  pageSize: 200,
} as const;

export interface Truncated {
  text: string;
  truncated: boolean;
  originalLength: number;
}

/** Keeps the head and tail: the head names the problem and the tail holds the innermost frames. */
export function truncateMiddle(text: string, maxChars: number): Truncated {
  if (text.length <= maxChars) return { text, truncated: false, originalLength: text.length };
  const marker = `\n… [${text.length - maxChars} characters truncated] …\n`;
  const keep = Math.max(0, maxChars - marker.length);
  const head = Math.ceil(keep / 2);
  return {
    text: text.slice(0, head) + marker + text.slice(text.length - (keep - head)),
    truncated: true,
    originalLength: text.length,
  };
}
