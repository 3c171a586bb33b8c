import { and, count, desc, eq, gt, inArray, isNull, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { AppError } from "../../domain/core/app-error";
import type { ErrorSearchFilters } from "../../domain/errors/filters";
import type {
  ContextSnapshot,
  GraphEdge,
  GraphEdgeQuery,
  MemoryStore,
  NewRecord,
  PageRequest,
  WebhookDelivery,
} from "../../domain/ports";
import { compareEdges, EDGE_SOURCES, edgeCursorOf, type EdgeCursor } from "../../domain/context/graph-edges";
import { VECTOR_FAILED } from "../../domain/core/records";
import type { TeamRole } from "../../domain/core/access";
import type {
  CodingSession,
  Decision,
  ErrorRecord,
  FileChange,
  Link,
  Page,
  Project,
  ProjectAccess,
} from "../../domain/core/records";
import * as schema from "./schema";
import { teamRoleOf } from "./team-store";

const { codingSessions, decisions, errors, fileChanges, links, projects, teamMembers, teams, webhookDeliveries } =
  schema;

type Db = DrizzleD1Database<typeof schema>;

/** FTS5 query from pre-sanitised terms ([a-z0-9_] only): any term may match, BM25 ranks by how many and how rare. */
function ftsQuery(terms: string[]): string {
  return terms.map((term) => `"${term}"`).join(" OR ");
}

/** Terms in more than this share of the project's errors are left out of the match (unless nothing rarer is left). */
export const COMMON_TERM_SHARE = 0.2;
/** Below this many errors containing a term, it is never considered common. */
export const COMMON_TERM_MIN_DOCS = 50;
/**
 * However large the corpus, a term in more errors than this is common: BM25 work grows with the postings the
 * match touches, so this keeps a search at 100,000 errors about as cheap as at 10,000 (where 20% is the same).
 */
export const COMMON_TERM_MAX_DOCS = 2_000;
/** The rarest terms carry the match; more add scoring work and little signal. */
export const MAX_MATCH_TERMS = 24;

/** BM25's k1 and b: FTS5's defaults, so ranking is what bm25() gave, with this project's statistics. */
const BM25_K1 = 1.2;
const BM25_B = 0.75;

/**
 * The query terms the match is made of, with their BM25 IDF, from the project's own term statistics
 * (`error_term_stats`, `error_search_totals`; migration 0017): the rarest terms, without those so common that
 * scoring them touches most of the project for almost no signal. Nothing here reads another project's errors,
 * so neither a score nor the choice of terms depends on them. All terms are bound as one JSON parameter
 * (D1 binds at most 100 per statement, and a pasted traceback has hundreds of terms).
 */
function matchTermsTable(projectId: string, termsJson: string): SQL {
  return sql`(
    SELECT term, max(1e-6, coalesce(ln((n - docs + 0.5) / (docs + 0.5)), 0)) AS idf, avg_terms FROM (
      SELECT s.term AS term, s.docs AS docs, t.docs AS n, CAST(t.terms AS REAL) / t.docs AS avg_terms,
        row_number() OVER (ORDER BY s.docs, s.term) AS position
      FROM error_term_stats AS s JOIN error_search_totals AS t ON t.project_id = s.project_id
      WHERE s.project_id = ${projectId} AND s.docs > 0
        AND s.term IN (SELECT value FROM json_each(${termsJson}))
    )
    WHERE position <= 2
      OR docs <= max(${sql.raw(String(COMMON_TERM_MIN_DOCS))}, min(${sql.raw(String(COMMON_TERM_MAX_DOCS))}, n * ${sql.raw(String(COMMON_TERM_SHARE))}))
    ORDER BY docs, term
    LIMIT ${sql.raw(String(MAX_MATCH_TERMS))}
  )`;
}

/**
 * The path, or a trailing part of it at a `/` or `\\` boundary, as `matchesFilePath` means it: `auth/login.py`
 * matches `src/auth/login.py`, never `xauth/login.py`. Compared with `=`/`substr`, never LIKE.
 */
function pathMatches(column: SQL | SQLiteColumn, wanted: string): SQL {
  return sql`(${column} = ${wanted} OR substr(${column}, ${-(wanted.length + 1)}) IN (${`/${wanted}`}, ${`\\${wanted}`}))`;
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

/**
 * Rows of one graph-edge source listed after the cursor (src/domain/context/graph-edges.ts order: time descending, then
 * source, then id ascending): a source before the cursor's needs an older time, one after it the same or older.
 */
function afterEdge(
  at: SQL | SQLiteColumn,
  id: SQLiteColumn,
  source: number,
  cursor: EdgeCursor | null,
): SQL | undefined {
  if (cursor === null) return undefined;
  if (source < cursor.source) return sql`${at} < ${cursor.at}`;
  if (source > cursor.source) return sql`${at} <= ${cursor.at}`;
  return sql`(${at} < ${cursor.at} OR (${at} = ${cursor.at} AND ${id} > ${cursor.id}))`;
}

function encodeCursor(time: number, id: string): string {
  return btoa(`${time}:${id}`);
}

function decodeCursor(cursor: string): { time: number; id: string } {
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

/** More projects of one name than a caller can be in is not a real case; the bound keeps the answer small. */
const PROJECT_CANDIDATES = 20;

function toProjectAccess(row: { id: string; slug: string; teamId: string; teamSlug: string; role: TeamRole }) {
  return { project: { id: row.id, slug: row.slug }, teamId: row.teamId, teamSlug: row.teamSlug, role: row.role };
}

export class D1MemoryStore implements MemoryStore {
  private readonly db: Db;

  constructor(d1: D1Database) {
    this.db = drizzle(d1, { schema });
  }

  async projectsNamed(name: string, userId: string, team: string | null): Promise<ProjectAccess[]> {
    const rows = await this.db
      .select({
        id: projects.id,
        slug: projects.slug,
        teamId: teams.id,
        teamSlug: teams.slug,
        role: teamMembers.role,
      })
      .from(projects)
      .innerJoin(teams, eq(teams.id, projects.teamId))
      .innerJoin(teamMembers, and(eq(teamMembers.teamId, projects.teamId), eq(teamMembers.userId, userId)))
      .where(and(eq(projects.slug, name), team === null ? undefined : or(eq(teams.slug, team), eq(teams.id, team))))
      .orderBy(teams.slug)
      .limit(PROJECT_CANDIDATES);
    return rows.map(toProjectAccess);
  }

  async projectAccess(projectId: string, userId: string): Promise<ProjectAccess | null> {
    const row = await this.db
      .select({
        id: projects.id,
        slug: projects.slug,
        teamId: teams.id,
        teamSlug: teams.slug,
        role: teamMembers.role,
      })
      .from(projects)
      .innerJoin(teams, eq(teams.id, projects.teamId))
      .innerJoin(teamMembers, and(eq(teamMembers.teamId, projects.teamId), eq(teamMembers.userId, userId)))
      .where(eq(projects.id, projectId))
      .get();
    return row ? toProjectAccess(row) : null;
  }

  async memberTeam(team: string, userId: string): Promise<{ teamId: string; teamSlug: string; role: TeamRole } | null> {
    const row = await this.db
      .select({ teamId: teams.id, teamSlug: teams.slug, role: teamMembers.role })
      .from(teams)
      .innerJoin(teamMembers, and(eq(teamMembers.teamId, teams.id), eq(teamMembers.userId, userId)))
      .where(or(eq(teams.slug, team), eq(teams.id, team)))
      .get();
    return row ?? null;
  }

  async createProject(project: Project, teamId: string, createdBy: string, now: number): Promise<void> {
    await this.db
      .insert(projects)
      .values({ id: project.id, slug: project.slug, legacyKey: `id:${project.id}`, teamId, createdBy, createdAt: now })
      .onConflictDoNothing();
  }

  async ensurePersonalTeam(userId: string, now: number): Promise<string> {
    const id = `personal-${userId}`;
    // Both inserts are idempotent, so concurrent first writes of one user agree on the same team.
    await this.db.batch([
      this.db
        .insert(teams)
        .values({
          id,
          slug: `~${userId}`,
          name: `${userId} (personal)`,
          personal: true,
          createdBy: userId,
          createdAt: now,
        })
        .onConflictDoNothing(),
      this.db
        .insert(teamMembers)
        .values({ teamId: id, userId, role: "owner", addedBy: userId, createdAt: now })
        .onConflictDoNothing(),
    ]);
    return id;
  }

  teamRole(teamId: string, userId: string): Promise<TeamRole | null> {
    return teamRoleOf(this.db, teamId, userId);
  }

  async insertSession(session: CodingSession): Promise<void> {
    // The Durable Object just granted the slot, so any row still marked active for this user and project is
    // stale (its object state was lost): close it rather than let the one-active-row index refuse the start.
    await this.db.batch([
      this.db
        .update(codingSessions)
        .set({
          status: "expired",
          endedAt: session.startedAt,
          summary: "Closed when a new session started: the session slot no longer held it.",
          summarySource: "digest",
        })
        .where(this.isActiveSessionOf(session.projectId, session.userId)),
      this.db.insert(codingSessions).values(session),
    ]);
  }

  async getSession(projectId: string, sessionId: string): Promise<CodingSession | null> {
    const row = await this.db
      .select()
      .from(codingSessions)
      .where(and(eq(codingSessions.projectId, projectId), eq(codingSessions.id, sessionId)))
      .get();
    return row ?? null;
  }

  async saveModelSummary(projectId: string, sessionId: string, summary: string): Promise<boolean> {
    const rows = await this.db
      .update(codingSessions)
      .set({ summary, summarySource: "llm" })
      .where(
        and(
          eq(codingSessions.projectId, projectId),
          eq(codingSessions.id, sessionId),
          eq(codingSessions.summarySource, "digest"),
        ),
      )
      .returning({ id: codingSessions.id });
    return rows.length > 0;
  }

  async markSummaryFailed(projectId: string, sessionId: string, reason: string): Promise<boolean> {
    const rows = await this.db
      .update(codingSessions)
      .set({ summaryError: reason.slice(0, 500) })
      .where(
        and(
          eq(codingSessions.projectId, projectId),
          eq(codingSessions.id, sessionId),
          eq(codingSessions.summarySource, "digest"),
        ),
      )
      .returning({ id: codingSessions.id });
    return rows.length > 0;
  }

  async finishSession(
    sessionId: string,
    update: Pick<CodingSession, "status" | "endedAt" | "success" | "summary" | "summarySource">,
  ): Promise<boolean> {
    const result = await this.db
      .update(codingSessions)
      .set(update)
      .where(and(eq(codingSessions.id, sessionId), eq(codingSessions.status, "active")))
      .run();
    return result.meta.changes > 0;
  }

  async sessionActivity(projectId: string, sessionId: string) {
    const errorIds = this.db
      .select({ id: links.fromId })
      .from(links)
      .where(and(eq(links.toType, "session"), eq(links.toId, sessionId), eq(links.fromType, "error")));
    const [changes, errorRows, decisionRows] = await this.db.batch([
      this.db
        .select()
        .from(fileChanges)
        .where(and(eq(fileChanges.projectId, projectId), eq(fileChanges.sessionId, sessionId)))
        .orderBy(fileChanges.createdAt),
      this.db
        .select()
        .from(errors)
        .where(and(eq(errors.projectId, projectId), or(eq(errors.sessionId, sessionId), inArray(errors.id, errorIds))))
        .orderBy(errors.firstSeen),
      this.db
        .select()
        .from(decisions)
        .where(and(eq(decisions.projectId, projectId), eq(decisions.sessionId, sessionId)))
        .orderBy(decisions.createdAt),
    ]);
    return { changes, errors: errorRows, decisions: decisionRows };
  }

  async insertFileChange(change: NewRecord<FileChange>, linkRows: Link[]): Promise<FileChange> {
    const [inserted] = await this.db.batch([
      this.db
        .insert(fileChanges)
        .values({ ...change, sessionId: this.activeSessionOf(change.projectId, change.userId) })
        .returning(),
      ...this.linkInserts(linkRows),
    ]);
    return firstRow(inserted, "file change");
  }

  async upsertError(
    candidate: NewRecord<ErrorRecord>,
    linkIds: { occurredIn: string; resolvedIn: string },
  ): Promise<{ error: ErrorRecord; inserted: boolean; sessionId: string | null }> {
    const { projectId, userId, fingerprint } = candidate;
    const sameError = sql`(SELECT ${errors.id} FROM ${errors} WHERE ${errors.projectId} = ${projectId} AND ${errors.fingerprint} = ${fingerprint})`;
    const hasSolution = candidate.solution !== null;
    const links = [
      this.sessionLink(linkIds.occurredIn, projectId, userId, "error", sameError, "occurred_in", candidate.lastSeen),
    ];
    if (hasSolution) {
      links.push(
        this.sessionLink(linkIds.resolvedIn, projectId, userId, "error", sameError, "resolved_in", candidate.lastSeen),
      );
    }
    const [upserted, session] = await this.db.batch([
      this.db
        .insert(errors)
        .values({ ...candidate, sessionId: this.activeSessionOf(projectId, userId) })
        .onConflictDoUpdate({
          target: [errors.projectId, errors.fingerprint],
          set: {
            occurrences: sql`${errors.occurrences} + 1`,
            lastSeen: candidate.lastSeen,
            ...(hasSolution ? { solution: candidate.solution, resolved: true, resolvedAt: candidate.resolvedAt } : {}),
          },
        })
        .returning(),
      this.db.select({ id: codingSessions.id }).from(codingSessions).where(this.isActiveSessionOf(projectId, userId)),
      ...links,
    ]);
    const error = firstRow(upserted, "error");
    return { error, inserted: error.id === candidate.id, sessionId: session[0]?.id ?? null };
  }

  async upsertErrors(
    candidates: Array<NewRecord<ErrorRecord>>,
    options: { delivery?: WebhookDelivery } = {},
  ): Promise<Array<{ error: ErrorRecord; inserted: boolean }>> {
    const statements = candidates.map((candidate) =>
      this.db
        .insert(errors)
        .values({ ...candidate, sessionId: null })
        .onConflictDoUpdate({
          target: [errors.projectId, errors.fingerprint],
          set: {
            occurrences: sql`${errors.occurrences} + 1`,
            lastSeen: sql`max(${errors.lastSeen}, ${candidate.lastSeen})`,
            ...(candidate.solution !== null
              ? { solution: candidate.solution, resolved: true, resolvedAt: candidate.resolvedAt }
              : {}),
            ...(candidate.source === "ci" ? { lastCommit: candidate.lastCommit, lastCiJob: candidate.lastCiJob } : {}),
          },
        })
        .returning(),
    );
    // A webhook delivery's row goes first in the same transaction: a delivery id seen before violates its key,
    // the batch fails, and nothing of the replay is written.
    const guard = options.delivery ? [this.db.insert(webhookDeliveries).values(options.delivery)] : [];
    const all = [...guard, ...statements] as BatchItem<"sqlite">[];
    const [first, ...rest] = all;
    if (!first) return [];
    let results: unknown[];
    try {
      results = await this.db.batch([first, ...rest]);
    } catch (error) {
      if (options.delivery && /UNIQUE|PRIMARY KEY|constraint/i.test(String((error as Error)?.message ?? error))) {
        throw new AppError("conflict", `delivery ${options.delivery.deliveryId} was already processed.`, {
          details: { duplicate_delivery: options.delivery.deliveryId },
        });
      }
      throw error;
    }
    return (results.slice(guard.length) as ErrorRecord[][]).map((rows, index) => {
      const error = firstRow(rows, "error");
      return { error, inserted: error.id === candidates[index]?.id };
    });
  }

  async resolveError(
    errorId: string,
    solution: string,
    resolvedAt: number,
    author: { userId: string; resolvedInLinkId: string },
  ): Promise<{ error: ErrorRecord; sessionId: string | null }> {
    const [updated, , session] = await this.db.batch([
      this.db.update(errors).set({ solution, resolved: true, resolvedAt }).where(eq(errors.id, errorId)).returning(),
      this.sessionLink(
        author.resolvedInLinkId,
        sql`(SELECT ${errors.projectId} FROM ${errors} WHERE ${errors.id} = ${errorId})`,
        author.userId,
        "error",
        errorId,
        "resolved_in",
        resolvedAt,
      ),
      this.db
        .select({ id: codingSessions.id })
        .from(codingSessions)
        .innerJoin(errors, eq(errors.projectId, codingSessions.projectId))
        .where(
          and(eq(errors.id, errorId), eq(codingSessions.userId, author.userId), eq(codingSessions.status, "active")),
        ),
    ]);
    return { error: firstRow(updated, "error"), sessionId: session[0]?.id ?? null };
  }

  async getError(projectId: string, errorId: string): Promise<ErrorRecord | null> {
    const row = await this.db
      .select()
      .from(errors)
      .where(and(eq(errors.projectId, projectId), eq(errors.id, errorId)))
      .get();
    return row ?? null;
  }

  async updateErrorDetails(
    projectId: string,
    errorId: string,
    details: Pick<ErrorRecord, "filePath" | "lineNumber" | "stackTrace" | "stackTraceTruncated" | "searchTerms">,
  ): Promise<ErrorRecord> {
    const updated = await this.db
      .update(errors)
      .set(details)
      .where(and(eq(errors.projectId, projectId), eq(errors.id, errorId)))
      .returning();
    return firstRow(updated, "error");
  }

  async getErrorsByIds(projectId: string, ids: string[]): Promise<ErrorRecord[]> {
    const queries = idChunks(ids).map((chunk) =>
      this.db
        .select()
        .from(errors)
        .where(and(eq(errors.projectId, projectId), inArray(errors.id, chunk))),
    );
    const [first, ...rest] = queries;
    if (!first) return [];
    const results = await this.db.batch([first, ...rest]);
    return results.flat();
  }

  async countErrorsNotVectorIndexed(projectId: string, model: string): Promise<number> {
    // Every search asks this, and usually few errors are pending: three range counts on the
    // (project_id, vector_model) index touch only those rows, where `IS NOT ?` would walk the whole project.
    const pendingWhere = (condition: SQL) =>
      sql`(SELECT count(*) FROM ${errors} WHERE ${errors.projectId} = ${projectId} AND ${condition})`;
    const row = await this.db.get<{ n: number }>(
      sql`SELECT ${pendingWhere(sql`${errors.vectorModel} IS NULL`)} + ${pendingWhere(
        sql`${errors.vectorModel} < ${model}`,
      )} + ${pendingWhere(sql`${errors.vectorModel} > ${model}`)} AS n`,
    );
    return row?.n ?? 0;
  }

  async errorVectorCounts(projectId: string, model: string) {
    // One pass over the (project_id, id, vector_model) index.
    const row = await this.db
      .select({
        total: count(),
        indexed: sql<number>`coalesce(sum(${errors.vectorModel} = ${model}), 0)`,
        failed: sql<number>`coalesce(sum(${errors.vectorModel} = ${VECTOR_FAILED}), 0)`,
      })
      .from(errors)
      .where(eq(errors.projectId, projectId))
      .get();
    return { total: row?.total ?? 0, indexed: Number(row?.indexed ?? 0), failed: Number(row?.failed ?? 0) };
  }

  async listErrorIdsNotVectorIndexed(
    projectId: string,
    model: string,
    afterId: string | null,
    limit: number,
  ): Promise<string[]> {
    const rows = await this.db
      .select({ id: errors.id })
      .from(errors)
      .where(
        and(
          eq(errors.projectId, projectId),
          afterId === null ? undefined : gt(errors.id, afterId),
          notIndexedWith(model),
        ),
      )
      .orderBy(errors.id)
      .limit(limit);
    return rows.map((row) => row.id);
  }

  async markErrorsVectorIndexed(projectId: string, ids: string[], model: string, at: number): Promise<void> {
    const updates = idChunks(ids).map((chunk) =>
      this.db
        .update(errors)
        .set({ vectorModel: model, vectorIndexedAt: at })
        .where(and(eq(errors.projectId, projectId), inArray(errors.id, chunk))),
    );
    const [first, ...rest] = updates;
    if (first) await this.db.batch([first, ...rest]);
  }

  async markErrorsVectorFailed(projectId: string, ids: string[], requestedAt: number, at: number): Promise<number> {
    const updates = idChunks(ids).map((chunk) =>
      this.db
        .update(errors)
        .set({ vectorModel: VECTOR_FAILED, vectorIndexedAt: at })
        .where(
          and(
            eq(errors.projectId, projectId),
            inArray(errors.id, chunk),
            or(isNull(errors.vectorIndexedAt), lte(errors.vectorIndexedAt, requestedAt)),
          ),
        )
        .returning({ id: errors.id }),
    );
    const [first, ...rest] = updates;
    if (!first) return 0;
    const results = await this.db.batch([first, ...rest]);
    return results.reduce((total, rows) => total + rows.length, 0);
  }

  async resetErrorVectorState(projectId: string, which: "all" | "failed", at: number): Promise<void> {
    await this.db
      .update(errors)
      .set({ vectorModel: null, vectorIndexedAt: at })
      .where(
        and(eq(errors.projectId, projectId), which === "failed" ? eq(errors.vectorModel, VECTOR_FAILED) : undefined),
      )
      .run();
  }

  async claimOverdueUnindexedErrors(
    olderThan: number,
    at: number,
    limit: number,
  ): Promise<Array<{ projectId: string; id: string }>> {
    // One statement: select and stamp together, so two overlapping sweeps cannot both claim a row.
    return this.db.all<{ projectId: string; id: string }>(sql`
      UPDATE ${errors} SET vector_indexed_at = ${at}
      WHERE rowid IN (
        SELECT rowid FROM ${errors}
        WHERE vector_model IS NULL AND coalesce(vector_indexed_at, created_at) < ${olderThan}
        ORDER BY coalesce(vector_indexed_at, created_at)
        LIMIT ${limit}
      )
      RETURNING project_id AS projectId, id`);
  }

  async searchErrorsLexical(
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
    const rows = await this.db
      .select({ error: errors, bm25: sql<number>`-${score}` })
      .from(errors)
      .innerJoin(matched, sql`matched.error_rowid = ${errors}.rowid`)
      .where(and(eq(errors.projectId, projectId), ...errorFilterConditions(filters)))
      // Ties in id order, so a ranking never depends on the order rows were written in.
      .orderBy(sql`${score} DESC`, errors.id)
      .limit(options.limit);
    return rows;
  }

  async insertDecision(decision: NewRecord<Decision>, linkRows: Link[]): Promise<Decision> {
    const [inserted] = await this.db.batch([
      this.db
        .insert(decisions)
        .values({ ...decision, sessionId: this.activeSessionOf(decision.projectId, decision.userId) })
        .returning(),
      ...this.linkInserts(linkRows),
    ]);
    return firstRow(inserted, "decision");
  }

  async getDecision(projectId: string, decisionId: string): Promise<Decision | null> {
    const row = await this.db
      .select()
      .from(decisions)
      .where(and(eq(decisions.projectId, projectId), eq(decisions.id, decisionId)))
      .get();
    return row ?? null;
  }

  async graphEdges(projectId: string, query: GraphEdgeQuery): Promise<GraphEdge[]> {
    const { node, relation, limit, after } = query;
    const wants = (name: string) => relation === null || relation === name;
    const touches = (type: string) => node === null || node.type === type;
    const edges: GraphEdge[] = [];

    // Each source is read in listing order (newest first, then id) from after the cursor; the merge is exact
    // because every source returns its first `limit`.
    const linkConditions: SQL[] = [eq(links.projectId, projectId)];
    if (relation !== null) linkConditions.push(eq(links.relation, relation));
    if (node !== null) {
      linkConditions.push(
        or(
          and(eq(links.fromType, node.type), eq(links.fromId, node.id)),
          and(eq(links.toType, node.type), eq(links.toId, node.id)),
        ) as SQL,
      );
    }
    const linkAfter = afterEdge(links.createdAt, links.id, EDGE_SOURCES.links, after);
    if (linkAfter) linkConditions.push(linkAfter);
    const linkRows = await this.db
      .select()
      .from(links)
      .where(and(...linkConditions))
      .orderBy(desc(links.createdAt), links.id)
      .limit(limit);
    for (const row of linkRows) {
      edges.push({
        from: { type: row.fromType, id: row.fromId },
        relation: row.relation,
        to: { type: row.toType, id: row.toId },
        createdAt: row.createdAt,
        source: EDGE_SOURCES.links,
        key: row.id,
      });
    }

    // Error → solution: the fix is stored on the error; its node id is the error's.
    if (wants("solved_by") && (touches("error") || touches("solution"))) {
      const at = sql<number>`coalesce(${errors.resolvedAt}, ${errors.createdAt})`;
      const rows = await this.db
        .select({ id: errors.id, solution: errors.solution, at })
        .from(errors)
        .where(
          and(
            eq(errors.projectId, projectId),
            sql`${errors.solution} IS NOT NULL`,
            node ? eq(errors.id, node.id) : undefined,
            afterEdge(at, errors.id, EDGE_SOURCES.solvedBy, after),
          ),
        )
        .orderBy(desc(at), errors.id)
        .limit(limit);
      for (const row of rows) {
        edges.push({
          from: { type: "error", id: row.id },
          relation: "solved_by",
          to: { type: "solution", id: row.id },
          createdAt: row.at,
          label: (row.solution ?? "").slice(0, 200),
          source: EDGE_SOURCES.solvedBy,
          key: row.id,
        });
      }
    }
    if (wants("about") && (touches("error") || touches("file"))) {
      const rows = await this.db
        .select({ id: errors.id, filePath: errors.filePath, at: errors.createdAt })
        .from(errors)
        .where(
          and(
            eq(errors.projectId, projectId),
            sql`${errors.filePath} IS NOT NULL`,
            node?.type === "error" ? eq(errors.id, node.id) : undefined,
            node?.type === "file" ? pathMatches(errors.filePath, node.id) : undefined,
            afterEdge(errors.createdAt, errors.id, EDGE_SOURCES.about, after),
          ),
        )
        .orderBy(desc(errors.createdAt), errors.id)
        .limit(limit);
      for (const row of rows) {
        edges.push({
          from: { type: "error", id: row.id },
          relation: "about",
          to: { type: "file", id: row.filePath ?? "" },
          createdAt: row.at,
          source: EDGE_SOURCES.about,
          key: row.id,
        });
      }
    }
    if (wants("modifies") && (touches("change") || touches("file"))) {
      const rows = await this.db
        .select({ id: fileChanges.id, filePath: fileChanges.filePath, at: fileChanges.createdAt })
        .from(fileChanges)
        .where(
          and(
            eq(fileChanges.projectId, projectId),
            node?.type === "change" ? eq(fileChanges.id, node.id) : undefined,
            node?.type === "file" ? pathMatches(fileChanges.filePath, node.id) : undefined,
            afterEdge(fileChanges.createdAt, fileChanges.id, EDGE_SOURCES.modifies, after),
          ),
        )
        .orderBy(desc(fileChanges.createdAt), fileChanges.id)
        .limit(limit);
      for (const row of rows) {
        edges.push({
          from: { type: "change", id: row.id },
          relation: "modifies",
          to: { type: "file", id: row.filePath },
          createdAt: row.at,
          source: EDGE_SOURCES.modifies,
          key: row.id,
        });
      }
    }
    return edges.sort((a, b) => compareEdges(edgeCursorOf(a), edgeCursorOf(b))).slice(0, limit);
  }

  changesImplementing(projectId: string, decisionId: string): Promise<FileChange[]> {
    return this.db
      .select()
      .from(fileChanges)
      .where(and(eq(fileChanges.projectId, projectId), eq(fileChanges.implementsDecisionId, decisionId)))
      .orderBy(fileChanges.createdAt, fileChanges.id);
  }

  listSessions(projectId: string, page: PageRequest): Promise<Page<CodingSession>> {
    return keysetPage(
      page,
      codingSessions.startedAt,
      codingSessions.id,
      (row) => row.startedAt,
      (after, limit) =>
        this.db
          .select()
          .from(codingSessions)
          .where(and(eq(codingSessions.projectId, projectId), after))
          .orderBy(desc(codingSessions.startedAt), desc(codingSessions.id))
          .limit(limit),
    );
  }

  listErrors(projectId: string, page: PageRequest & { resolved?: boolean }): Promise<Page<ErrorRecord>> {
    const resolved = page.resolved === undefined ? undefined : eq(errors.resolved, page.resolved);
    return keysetPage(
      page,
      errors.createdAt,
      errors.id,
      (row) => row.createdAt,
      (after, limit) =>
        this.db
          .select()
          .from(errors)
          .where(and(eq(errors.projectId, projectId), resolved, after))
          .orderBy(desc(errors.createdAt), desc(errors.id))
          .limit(limit),
    );
  }

  listDecisions(projectId: string, page: PageRequest): Promise<Page<Decision>> {
    return keysetPage(
      page,
      decisions.createdAt,
      decisions.id,
      (row) => row.createdAt,
      (after, limit) =>
        this.db
          .select()
          .from(decisions)
          .where(and(eq(decisions.projectId, projectId), after))
          .orderBy(desc(decisions.createdAt), desc(decisions.id))
          .limit(limit),
    );
  }

  listChanges(projectId: string, page: PageRequest): Promise<Page<FileChange>> {
    return keysetPage(
      page,
      fileChanges.createdAt,
      fileChanges.id,
      (row) => row.createdAt,
      (after, limit) =>
        this.db
          .select()
          .from(fileChanges)
          .where(and(eq(fileChanges.projectId, projectId), after))
          .orderBy(desc(fileChanges.createdAt), desc(fileChanges.id))
          .limit(limit),
    );
  }

  async contextSnapshot(projectId: string, focusTerms: string[], perSection: number): Promise<ContextSnapshot> {
    const focus = focusTerms.length ? ftsQuery(focusTerms) : null;
    const changeFocus = focus
      ? sql`${fileChanges}.rowid IN (SELECT rowid FROM file_changes_fts WHERE file_changes_fts MATCH ${focus})`
      : undefined;
    const errorFocus = focus
      ? sql`${errors}.rowid IN (SELECT rowid FROM errors_fts WHERE errors_fts MATCH ${focus})`
      : undefined;
    const decisionFocus = focus
      ? sql`${decisions}.rowid IN (SELECT rowid FROM decisions_fts WHERE decisions_fts MATCH ${focus})`
      : undefined;
    const changeCount = count(fileChanges.id);
    const [
      recentChanges,
      openErrors,
      resolvedErrors,
      decisionRows,
      hotFiles,
      paths,
      nChanges,
      nErrors,
      nOpen,
      nDecisions,
      nSessions,
    ] = await this.db.batch([
      this.db
        .select()
        .from(fileChanges)
        .where(and(eq(fileChanges.projectId, projectId), changeFocus))
        .orderBy(desc(fileChanges.createdAt))
        .limit(perSection),
      this.db
        .select()
        .from(errors)
        .where(and(eq(errors.projectId, projectId), eq(errors.resolved, false), errorFocus))
        .orderBy(desc(errors.occurrences), desc(errors.lastSeen))
        .limit(perSection),
      this.db
        .select()
        .from(errors)
        .where(and(eq(errors.projectId, projectId), eq(errors.resolved, true), errorFocus))
        .orderBy(desc(errors.resolvedAt))
        .limit(perSection),
      this.db
        .select()
        .from(decisions)
        .where(and(eq(decisions.projectId, projectId), decisionFocus))
        .orderBy(desc(decisions.createdAt))
        .limit(perSection),
      this.db
        .select({ filePath: fileChanges.filePath, changes: changeCount })
        .from(fileChanges)
        .where(and(eq(fileChanges.projectId, projectId), changeFocus))
        .groupBy(fileChanges.filePath)
        .orderBy(desc(changeCount), fileChanges.filePath)
        .limit(10),
      this.db
        .selectDistinct({ path: fileChanges.filePath })
        .from(fileChanges)
        .where(eq(fileChanges.projectId, projectId))
        .limit(2000),
      this.db.select({ n: count() }).from(fileChanges).where(eq(fileChanges.projectId, projectId)),
      this.db.select({ n: count() }).from(errors).where(eq(errors.projectId, projectId)),
      this.db
        .select({ n: count() })
        .from(errors)
        .where(and(eq(errors.projectId, projectId), eq(errors.resolved, false))),
      this.db.select({ n: count() }).from(decisions).where(eq(decisions.projectId, projectId)),
      this.db.select({ n: count() }).from(codingSessions).where(eq(codingSessions.projectId, projectId)),
    ]);
    return {
      recentChanges,
      openErrors,
      resolvedErrors,
      decisions: decisionRows,
      hotFiles,
      knownPaths: paths.map((p) => p.path),
      totals: {
        changes: nChanges[0]?.n ?? 0,
        errors: nErrors[0]?.n ?? 0,
        openErrors: nOpen[0]?.n ?? 0,
        decisions: nDecisions[0]?.n ?? 0,
        sessions: nSessions[0]?.n ?? 0,
      },
    };
  }

  async patternInputs(projectId: string) {
    const [changes, errorRows] = await this.db.batch([
      this.db
        .select({ filePath: fileChanges.filePath, action: fileChanges.action, createdAt: fileChanges.createdAt })
        .from(fileChanges)
        .where(eq(fileChanges.projectId, projectId))
        .orderBy(desc(fileChanges.createdAt))
        .limit(10_000),
      this.db
        .select({ errorType: errors.errorType, occurrences: errors.occurrences, resolved: errors.resolved })
        .from(errors)
        .where(eq(errors.projectId, projectId))
        .limit(10_000),
    ]);
    return { changes, errors: errorRows };
  }

  private isActiveSessionOf(projectId: string | SQL, userId: string): SQL | undefined {
    return and(
      eq(codingSessions.projectId, projectId),
      eq(codingSessions.userId, userId),
      eq(codingSessions.status, "active"),
    );
  }

  /** The author's active session id as a scalar subquery, evaluated inside the write's own batch. */
  private activeSessionOf(projectId: string, userId: string): SQL {
    return sql`(${this.db.select({ id: codingSessions.id }).from(codingSessions).where(this.isActiveSessionOf(projectId, userId))})`;
  }

  /** Links a record to the author's active session, if there is one (inserts nothing otherwise). */
  private sessionLink(
    linkId: string,
    projectId: string | SQL,
    userId: string,
    fromType: string,
    fromId: string | SQL,
    relation: string,
    now: number,
  ) {
    return this.db
      .insert(links)
      .select(
        this.db
          .select({
            id: sql<string>`${linkId}`.as("id"),
            projectId: codingSessions.projectId,
            fromType: sql<string>`${fromType}`.as("from_type"),
            fromId: sql<string>`${fromId}`.as("from_id"),
            relation: sql<string>`${relation}`.as("relation"),
            toType: sql<string>`'session'`.as("to_type"),
            toId: codingSessions.id,
            createdAt: sql<number>`${now}`.as("created_at"),
          })
          .from(codingSessions)
          .where(this.isActiveSessionOf(projectId, userId)),
      )
      .onConflictDoNothing();
  }

  private linkInserts(linkRows: Link[]): BatchItem<"sqlite">[] {
    return linkRows.map((link) => this.db.insert(links).values(link).onConflictDoNothing());
  }
}

/** Ids per `IN (…)`: D1 binds at most 100 parameters per statement, and a few go to the other conditions. */
const ID_CHUNK = 90;

function idChunks(ids: string[]): string[][] {
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let start = 0; start < unique.length; start += ID_CHUNK) chunks.push(unique.slice(start, start + ID_CHUNK));
  return chunks;
}

/** No vector from `model`: none yet (NULL), an older model's, or failed. `IS NOT` so that NULL counts too. */
function notIndexedWith(model: string): SQL {
  return sql`${errors.vectorModel} IS NOT ${model}`;
}

function firstRow<T>(rows: T[], what: string): T {
  const row = rows[0];
  if (!row) throw new AppError("internal", `The ${what} write returned no row.`);
  return row;
}

/**
 * Newest-first keyset pagination: `run` gets the "older than the cursor" condition and fetches one row more
 * than the page so the presence of a next page is known without a count.
 */
async function keysetPage<T extends { id: string }>(
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
