/**
 * Lexical error search on D1: BM25 over the FTS5 index with this project's own term statistics, so no score or
 * choice of terms depends on another project's errors.
 */
import { and, eq, gt, sql, type SQL } from "drizzle-orm";
import type { ErrorSearchFilters } from "../../domain/errors/filters";
import type { LexicalCandidates, TermStatistics, WeightedTerm } from "../../domain/errors/ports";
import { MATCH_TERMS } from "../../domain/errors/ranking";
import { errors, errorSearchTotals, errorTermStats } from "./schema";
import { pathMatches, type Db } from "./sql";

/** BM25's k1 and b: FTS5's defaults, so ranking is what bm25() gave, with this project's statistics. */
const BM25_K1 = 1.2;
const BM25_B = 0.75;
const raw = (value: number) => sql.raw(String(value));

/**
 * The query terms the match is made of, with their BM25 IDF, from the project's own term statistics
 * (`error_term_stats`, `error_search_totals`; migration 0017): what `matchTerms` (ranking.ts) picks, most
 * informative (weight · IDF) first. Nothing here reads another project's errors, so neither a score nor the
 * choice of terms depends on them. The terms and their weights are bound as one JSON object (D1 binds at most
 * 100 parameters per statement, and a pasted traceback has hundreds of terms).
 */
function matchTermsTable(projectId: string, weightsJson: string): SQL {
  const informative = sql`q.value * ln(1 + (t.docs - s.docs + 0.5) / (s.docs + 0.5))`;
  return sql`(
    SELECT term, max(1e-6, coalesce(ln((n - docs + 0.5) / (docs + 0.5)), 0)) AS idf, avg_terms FROM (
      SELECT s.term AS term, s.docs AS docs, t.docs AS n, CAST(t.terms AS REAL) / t.docs AS avg_terms,
        row_number() OVER (ORDER BY ${informative} DESC, s.term) AS position
      FROM json_each(${weightsJson}) AS q
      CROSS JOIN error_term_stats AS s ON s.project_id = ${projectId} AND s.term = q.key
      JOIN error_search_totals AS t ON t.project_id = s.project_id
      WHERE s.docs > 0
    )
    WHERE position <= ${raw(MATCH_TERMS.alwaysKept)}
      OR docs <= max(${raw(MATCH_TERMS.commonMinDocs)}, min(${raw(MATCH_TERMS.commonMaxDocs)}, n * ${raw(MATCH_TERMS.commonShare)}))
    ORDER BY position
    LIMIT ${raw(MATCH_TERMS.max)}
  )`;
}

/** The two reads of `termStatistics`, to run alone or in a batch with other statements. */
function termStatisticsReads(db: Db, projectId: string, terms: string[]) {
  const termsJson = JSON.stringify([...new Set(terms)]);
  return [
    db
      .select({ term: errorTermStats.term, docs: errorTermStats.docs })
      .from(errorTermStats)
      .where(
        and(
          eq(errorTermStats.projectId, projectId),
          gt(errorTermStats.docs, 0),
          sql`${errorTermStats.term} IN (SELECT value FROM json_each(${termsJson}))`,
        ),
      ),
    db
      .select({ docs: errorSearchTotals.docs, terms: errorSearchTotals.terms })
      .from(errorSearchTotals)
      .where(eq(errorSearchTotals.projectId, projectId)),
  ] as const;
}

function statisticsFrom(
  rows: Array<{ term: string; docs: number }>,
  totals: Array<{ docs: number; terms: number }>,
): TermStatistics {
  const total = totals[0];
  return {
    documents: total?.docs ?? 0,
    averageTerms: total && total.docs > 0 ? total.terms / total.docs : 0,
    docs: new Map(rows.map((row) => [row.term, row.docs])),
  };
}

/** BM25's statistics of the project for `terms` (see `ErrorStore.termStatistics`). */
export async function termStatistics(db: Db, projectId: string, terms: string[]): Promise<TermStatistics> {
  const [rows, totals] = await db.batch([...termStatisticsReads(db, projectId, terms)]);
  return statisticsFrom(rows, totals);
}

/**
 * SQL for `ErrorSearchFilters`, meaning exactly what `matchesErrorFilters` means. User text is only ever bound as
 * a value and compared with `=`/`substr`, never used as a LIKE pattern (where `_` and `%` would be wildcards).
 */
function errorFilterConditions(filters: ErrorSearchFilters): SQL[] {
  const conditions: SQL[] = [];
  // resolvedOnly is applied to error_search_docs, before the errors' rows are read.
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
  terms: WeightedTerm[],
  options: { limit: number; filters: ErrorSearchFilters },
): Promise<LexicalCandidates> {
  const unique = new Map(terms.map(({ term, weight }) => [term, weight]));
  const [statRows, totals, candidates] = await db.batch([
    ...termStatisticsReads(db, projectId, [...unique.keys()]),
    lexicalCandidates(db, projectId, JSON.stringify(Object.fromEntries(unique)), options),
  ]);
  // No terms: the match table is empty, and so are the candidates.
  return { candidates, stats: statisticsFrom(statRows, totals) };
}

/**
 * BM25 as FTS5 computes it (every term occurs once in search_terms, so tf = 1), but with N, the average length
 * and document frequencies of this project only. The FTS index is asked one match term at a time and only says
 * which rows contain it: a yes/no answer that no other project changes. Each posting is checked against the
 * narrow error_search_docs row (migration 0019) for its project and length, and only the best rows of
 * `errors` are read. CROSS JOIN fixes the order: terms, then their postings, then the row's project.
 */
function lexicalCandidates(
  db: Db,
  projectId: string,
  weightsJson: string,
  options: { limit: number; filters: ErrorSearchFilters },
) {
  const { filters } = options;
  const onErrors = errorFilterConditions(filters);
  const k1 = raw(BM25_K1);
  // Without filters on the errors' own columns the best `limit` are known from the narrow rows alone (ties in
  // id order there too), so only those rows of `errors` are read.
  const ranked = sql`(
    SELECT d.error_rowid AS error_rowid,
      sum(m.idf) * ${raw(BM25_K1 + 1)} / (1 + ${k1} * (${raw(1 - BM25_B)} + ${raw(BM25_B)} * d.terms / min(m.avg_terms))) AS score
    FROM ${matchTermsTable(projectId, weightsJson)} AS m
    CROSS JOIN errors_fts
    CROSS JOIN error_search_docs AS d ON d.error_rowid = errors_fts.rowid
    WHERE errors_fts MATCH '"' || m.term || '"' AND d.project_id = ${projectId}
      ${filters.resolvedOnly ? sql`AND d.resolved = 1` : sql``}
    GROUP BY d.error_rowid
    ${onErrors.length ? sql`` : sql`ORDER BY score DESC, d.error_id LIMIT ${raw(options.limit)}`}
  ) AS ranked`;
  return (
    db
      .select({ error: errors, bm25: sql<number>`-ranked.score` })
      .from(errors)
      .innerJoin(ranked, sql`ranked.error_rowid = ${errors}.rowid`)
      .where(and(eq(errors.projectId, projectId), ...onErrors))
      // Ties in id order, so a ranking never depends on the order rows were written in.
      .orderBy(sql`ranked.score DESC`, errors.id)
      .limit(options.limit)
  );
}
