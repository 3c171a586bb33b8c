/**
 * SQL helpers every D1 store shares: the drizzle handle type, FTS5 queries, path matching, paging cursors and
 * id chunks (D1 binds at most 100 parameters per statement).
 */
import { and, eq, lt, or, sql, type SQL } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { AppError } from "../../domain/core/app-error";
import type { PageRequest } from "../../domain/core/ports";
import type { Page } from "../../domain/core/records";
import * as schema from "./schema";

export type Db = DrizzleD1Database<typeof schema>;

/** The typed drizzle handle over the D1 binding; cheap, so each store makes its own. */
export function database(d1: D1Database): Db {
  return drizzle(d1, { schema });
}

/** FTS5 query from pre-sanitised terms ([a-z0-9_] only): any term may match, BM25 ranks by how many and how rare. */
export function ftsQuery(terms: string[]): string {
  return terms.map((term) => `"${term}"`).join(" OR ");
}

/**
 * The path, or a trailing part of it at a `/` or `\\` boundary, as `matchesFilePath` means it: `auth/login.py`
 * matches `src/auth/login.py`, never `xauth/login.py`. Compared with `=`/`substr`, never LIKE.
 */
export function pathMatches(column: SQL | SQLiteColumn, wanted: string): SQL {
  return sql`(${column} = ${wanted} OR substr(${column}, ${-(wanted.length + 1)}) IN (${`/${wanted}`}, ${`\\${wanted}`}))`;
}

export function encodeCursor(time: number, id: string): string {
  return btoa(`${time}:${id}`);
}

export function decodeCursor(cursor: string): { time: number; id: string } {
  try {
    const [time, ...rest] = atob(cursor).split(":");
    const parsed = Number(time);
    if (!Number.isFinite(parsed) || !rest.length) throw new Error("bad cursor");
    return { time: parsed, id: rest.join(":") };
  } catch (cause) {
    throw new AppError("invalid_input", "cursor: not a cursor returned by a previous page.", {
      details: { field: "cursor" },
      cause,
    });
  }
}

/** Ids per `IN (…)`: D1 binds at most 100 parameters per statement, and a few go to the other conditions. */
export const ID_CHUNK = 90;

export function idChunks(ids: string[]): string[][] {
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let start = 0; start < unique.length; start += ID_CHUNK) chunks.push(unique.slice(start, start + ID_CHUNK));
  return chunks;
}

export function firstRow<T>(rows: T[], what: string): T {
  const row = rows[0];
  if (!row) throw new AppError("internal", `The ${what} write returned no row.`);
  return row;
}

/**
 * Newest-first keyset pagination: `run` gets the "older than the cursor" condition and fetches one row more
 * than the page so the presence of a next page is known without a count.
 */
export async function keysetPage<T extends { id: string }>(
  page: PageRequest,
  timeColumn: Parameters<typeof lt>[0],
  idColumn: Parameters<typeof lt>[0],
  timeOf: (row: T) => number,
  run: (after: SQL | undefined, limit: number) => Promise<T[]>,
): Promise<Page<T>> {
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const rows = await run(
    after ? or(lt(timeColumn, after.time), and(eq(timeColumn, after.time), lt(idColumn, after.id))) : undefined,
    page.limit + 1,
  );
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > page.limit && last ? encodeCursor(timeOf(last), last.id) : null };
}
