/**
 * Lexical error search on D1: BM25 over the FTS5 index with this project's own term statistics, so no score or
 * choice of terms depends on another project's errors.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { ErrorRecord } from "../../domain/core/records";
import type { ErrorSearchFilters } from "../../domain/errors/filters";
import type { TermStatistics } from "../../domain/errors/ports";
import { errors } from "./schema";
import { pathMatches, type Db } from "./sql";

/** Terms in more than this share of the project's errors are left out of the match (unless nothing rarer is left). */
export const COMMON_TERM_SHARE = 0.2;
/** Below this many errors containing a term, it is never considered common. */
export const COMMON_TERM_MIN_DOCS = 50;
/**
 * However large the corpus, a term in more errors than this is common: BM25 work grows with the postings the
 * match touches, so this keeps a search at 100,000 errors about as cheap as at 10,000 (where 20% is the same).
 */
export const COMMON_TERM_MAX_DOCS = 2_000;
/** The most informative terms carry the match; more add scoring work and little signal. */
export const MAX_MATCH_TERMS = 24;

/** BM25's k1 and b: FTS5's defaults, so ranking is what bm25() gave, with this project's statistics. */
const BM25_K1 = 1.2;
const BM25_B = 0.75;

/**
 * The query terms the match is made of, with their BM25 IDF, from the project's own term statistics
 * (`error_term_stats`, `error_search_totals`; migration 0017): the first (most informative) of the given terms, without those so common that
 * scoring them touches most of the project for almost no signal. Nothing here reads another project's errors,
 * so neither a score nor the choice of terms depends on them. All terms are bound as one JSON parameter
 * (D1 binds at most 100 per statement, and a pasted traceback has hundreds of terms).
 */
function matchTermsTable(projectId: string, termsJson: string): SQL {
  return sql`(
    SELECT term, max(1e-6, coalesce(ln((n - docs + 0.5) / (docs + 0.5)), 0)) AS idf, avg_terms FROM (
      SELECT s.term AS term, s.docs AS docs, t.docs AS n, CAST(t.terms AS REAL) / t.docs AS avg_terms,
        q.key AS given, row_number() OVER (ORDER BY q.key) AS position
      FROM json_each(${termsJson}) AS q
      CROSS JOIN error_term_stats AS s ON s.project_id = ${projectId} AND s.term = q.value
      JOIN error_search_totals AS t ON t.project_id = s.project_id
      WHERE s.docs > 0
    )
    WHERE position <= 2
      OR docs <= max(${sql.raw(String(COMMON_TERM_MIN_DOCS))}, min(${sql.raw(String(COMMON_TERM_MAX_DOCS))}, n * ${sql.raw(String(COMMON_TERM_SHARE))}))
    ORDER BY given
    LIMIT ${sql.raw(String(MAX_MATCH_TERMS))}
  )`;
}

/** BM25's statistics of the project for `terms` (see `ErrorStore.termStatistics`). */
export async function termStatistics(db: Db, projectId: string, terms: string[]): Promise<TermStatistics> {
  const termsJson = JSON.stringify([...new Set(terms)]);
  const [rows, totals] = await Promise.all([
    db.all<{ term: string; docs: number }>(sql`
      SELECT term, docs FROM error_term_stats
      WHERE project_id = ${projectId} AND docs > 0 AND term IN (SELECT value FROM json_each(${termsJson}))`),
    db.all<{ docs: number; terms: number }>(sql`
      SELECT docs, terms FROM error_search_totals WHERE project_id = ${projectId}`),
  ]);
  const total = totals[0];
  return {
    documents: total?.docs ?? 0,
    averageTerms: total && total.docs > 0 ? total.terms / total.docs : 0,
    docs: new Map(rows.map((row) => [row.term, row.docs])),
  };
}

/**
 * SQL for `ErrorSearchFilters`, meaning exactly what `matchesErrorFilters` means. User text is only ever bound as
 * a value and compared with `=`/`substr`, never used as a LIKE pattern (where `_` and `%` would be wildcards).
 */
function errorFilterConditions(filters: ErrorSearchFilters): SQL[] {
  const conditions: SQL[] = [];
  if (filters.resolvedOnly) conditions.push(sql`${errors.resolved} = 1`);
  if (filters.errorType !== null) {
    const wanted = filters.errorType.toLowerCase();
    conditions.push(
      sql`(lower(${errors.errorType}) = ${wanted} OR substr(lower(${errors.errorType}), -${wanted.length + 1}) = ${`.${wanted}`})`,
    );
  }
  if (filters.file !== null) conditions.push(pathMatches(errors.filePath, filters.file));
  if (filters.tag !== null) {
    conditions.push(sql`EXISTS (SELECT 1 FROM json_each(${errors.tags}) WHERE json_each.value = ${filters.tag})`);
  }
  if (filters.since !== null) conditions.push(sql`${errors.lastSeen} >= ${filters.since}`);
  return conditions;
}

export async function searchErrorsLexical(
  db: Db,
  projectId: string,
  terms: string[],
  options: { limit: number; filters: ErrorSearchFilters },
): Promise<Array<{ error: ErrorRecord; bm25: number }>> {
  if (!terms.length) return [];
  const termsJson = JSON.stringify([...new Set(terms)]);
  const { filters } = options;
  // BM25 as FTS5 computes it (every term occurs once in search_terms, so tf = 1), but with N, the average
  // length and document frequencies of this project only. The FTS index is asked one match term at a time
  // and only says which rows contain it: a yes/no answer for this project's rows that no other project changes.
  // Summing the IDFs per row over those postings touches what one OR query would, and keeps only (rowid, sum)
  // of this project's rows. CROSS JOIN fixes the order: terms, then their postings, then the row's project.
  const matched = sql`(
    SELECT errors_fts.rowid AS error_rowid, sum(match_terms.idf) AS idf_sum, min(match_terms.avg_terms) AS avg_terms
    FROM ${matchTermsTable(projectId, termsJson)} AS match_terms
    CROSS JOIN errors_fts
    CROSS JOIN ${errors} AS candidate ON candidate.rowid = errors_fts.rowid
    WHERE errors_fts MATCH '"' || match_terms.term || '"' AND candidate.project_id = ${projectId}
    GROUP BY errors_fts.rowid
  ) AS matched`;
  const length = sql`(length(${errors.searchTerms}) - length(replace(${errors.searchTerms}, ' ', '')) + 1)`;
  const k1 = sql.raw(String(BM25_K1));
  const score = sql`(matched.idf_sum * ${sql.raw(String(BM25_K1 + 1))} / (1 + ${k1} * (${sql.raw(
    String(1 - BM25_B),
  )} + ${sql.raw(String(BM25_B))} * ${length} / matched.avg_terms)))`;
  const rows = await db
    .select({ error: errors, bm25: sql<number>`-${score}` })
    .from(errors)
    .innerJoin(matched, sql`matched.error_rowid = ${errors}.rowid`)
    .where(and(eq(errors.projectId, projectId), ...errorFilterConditions(filters)))
    // Ties in id order, so a ranking never depends on the order rows were written in.
    .orderBy(sql`${score} DESC`, errors.id)
    .limit(options.limit);
  return rows;
}
