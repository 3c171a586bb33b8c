/**
 * One listing of the project's graph edges, merged from several sources (stored links, errors' solutions and
 * files, file changes, code imports) in one stable order, cut into pages with a keyset cursor. The order is
 * newest first; edges of the same time by source, then by their id within it. Code imports carry no time, so
 * they come after every memory edge, by importing file then imported file.
 */
import { AppError } from "../core/app-error";
import type { CodeGraph } from "../code/code-graph";
import type { GraphEdge } from "./ports";
import type { EdgeCursor } from "./ports";

/** Where an edge comes from: the tie-breaker between sources of the same time. */
export const EDGE_SOURCES = { links: 0, solvedBy: 1, about: 2, modifies: 3, imports: 4 } as const;

export function edgeCursorOf(edge: GraphEdge): EdgeCursor {
  return { at: edge.createdAt, source: edge.source, id: edge.key };
}

/** Negative when `a` is listed before `b`. */
export function compareEdges(a: EdgeCursor, b: EdgeCursor): number {
  if (a.at !== b.at) return b.at - a.at;
  if (a.source !== b.source) return a.source - b.source;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function encodeEdgeCursor(cursor: EdgeCursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify([cursor.at, cursor.source, cursor.id]));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeEdgeCursor(raw: string): EdgeCursor {
  try {
    const binary = atob(raw.replace(/-/g, "+").replace(/_/g, "/"));
    const parsed: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    if (
      Array.isArray(parsed) &&
      parsed.length === 3 &&
      Number.isSafeInteger(parsed[0]) &&
      Number.isInteger(parsed[1]) &&
      typeof parsed[2] === "string"
    ) {
      return { at: parsed[0] as number, source: parsed[1] as number, id: parsed[2] };
    }
    throw new Error("not an edge cursor");
  } catch (cause) {
    throw new AppError("invalid_input", "cursor: not a next_cursor returned by a previous page of /graph/edges.", {
      details: { field: "cursor" },
      cause,
    });
  }
}

/**
 * Import edges of the code graph after `after`, at most `limit`, in listing order: all of them, or those of one
 * file (what it imports and what imports it). Paths cannot hold control characters, so "\u0000" separates them.
 */
export function importEdges(graph: CodeGraph, file: string | null, after: EdgeCursor | null, limit: number) {
  const pairs: Array<[string, string]> = [];
  if (file === null) {
    const { files, edges } = graph.snapshot;
    for (const [from, to] of edges) pairs.push([files[from] as string, files[to] as string]);
  } else if (graph.graph.has(file)) {
    for (const to of graph.graph.imports(file)) pairs.push([file, to]);
    for (const from of graph.graph.importedBy(file)) pairs.push([from, file]);
  }
  const edges: GraphEdge[] = pairs.map(([from, to]) => ({
    from: { type: "file", id: from },
    relation: "imports",
    to: { type: "file", id: to },
    createdAt: 0,
    source: EDGE_SOURCES.imports,
    key: `${from}\u0000${to}`,
  }));
  return edges
    .filter((edge) => after === null || compareEdges(edgeCursorOf(edge), after) > 0)
    .sort((a, b) => compareEdges(edgeCursorOf(a), edgeCursorOf(b)))
    .slice(0, limit);
}

/**
 * The page of `limit` edges from candidates that each source fetched with up to `limit + 1` rows after the
 * cursor: merged in listing order; cut, with the cursor of its last edge, when anything is left.
 */
export function edgePage(candidates: GraphEdge[], limit: number): { edges: GraphEdge[]; nextCursor: string | null } {
  const sorted = [...candidates].sort((a, b) => compareEdges(edgeCursorOf(a), edgeCursorOf(b)));
  const edges = sorted.slice(0, limit);
  const last = edges[edges.length - 1];
  return {
    edges,
    nextCursor: sorted.length > limit && last ? encodeEdgeCursor(edgeCursorOf(last)) : null,
  };
}

export type { EdgeCursor };
