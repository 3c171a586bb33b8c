/**
 * The text an embedder sees for an error, and for a search query. Both sides go through the same function so
 * a query pasted from a terminal and a recorded error are embedded alike.
 */
import type { ErrorRecord } from "../core/records";

/**
 * Learned models truncate long inputs (BGE at 512 tokens), so the head is what counts: the type and message
 * name the problem, and the innermost frames follow them.
 */
export const EMBEDDING_TEXT_CHARS = 2_000;

export function errorEmbeddingText(
  error: Pick<ErrorRecord, "errorType" | "message" | "stackTrace" | "filePath" | "tags">,
): string {
  const message = error.message.trim();
  const type = error.errorType.trim();
  // "TypeError: x is undefined" already starts with its type; repeating it would only weigh the type twice.
  const head = message.startsWith(type) ? message : `${type}: ${message}`;
  const parts = [head];
  if (error.stackTrace && !message.includes(error.stackTrace.trim().slice(0, 200))) parts.push(error.stackTrace);
  if (error.filePath) parts.push(`in ${error.filePath}`);
  if (error.tags.length) parts.push(`tags: ${error.tags.join(", ")}`);
  return parts.join("\n").slice(0, EMBEDDING_TEXT_CHARS);
}

/** A search query is embedded as it was typed: it is already an error text or a description of one. */
export function queryEmbeddingText(query: string): string {
  return query.trim().slice(0, EMBEDDING_TEXT_CHARS);
}
