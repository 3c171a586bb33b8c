import { and, count, desc, eq, gt, gte, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { AppError } from "../../domain/core/app-error";
import { utcDay } from "../../domain/core/encoding";
import type { NewRecord, PageRequest } from "../../domain/core/ports";
import { VECTOR_FAILED, type ErrorRecord, type Page } from "../../domain/core/records";
import type { ErrorSearchFilters } from "../../domain/errors/filters";
import type {
  ErrorStore,
  LexicalCandidates,
  TermStatistics,
  WebhookDelivery,
  WeightedTerm,
} from "../../domain/errors/ports";
import { searchErrorsLexical, termStatistics } from "./error-search";
import { codingSessions, errorOccurrenceDays, errors, webhookDeliveries } from "./schema";
import { activeSessionOf, isActiveSessionOf, sessionLink } from "./session-links";
import { retag, TEAM_HAS_CLASSES } from "./error-classes";
import { database, firstRow, idChunks, keysetPage, type Db } from "./sql";

/** Error records: upserts by fingerprint, resolution, vector-indexing state, and lexical search. */
export class D1ErrorStore implements ErrorStore {
  private readonly db: Db;

  constructor(d1: D1Database) {
    this.db = database(d1);
  }

  async upsertError(
    candidate: NewRecord<ErrorRecord>,
    linkIds: { occurredIn: string; resolvedIn: string },
  ): Promise<{ error: ErrorRecord; inserted: boolean; sessionId: string | null }> {
    const { projectId, userId, fingerprint } = candidate;
    const sameError = sql`(SELECT ${errors.id} FROM ${errors} WHERE ${errors.projectId} = ${projectId} AND ${errors.fingerprint} = ${fingerprint})`;
    const hasSolution = candidate.solution !== null;
    const links = [
      sessionLink(
        this.db,
        linkIds.occurredIn,
        projectId,
        userId,
        "error",
        sameError,
        "occurred_in",
        candidate.lastSeen,
      ),
    ];
    if (hasSolution) {
      links.push(
        sessionLink(
          this.db,
          linkIds.resolvedIn,
          projectId,
          userId,
          "error",
          sameError,
          "resolved_in",
          candidate.lastSeen,
        ),
      );
    }
    const results = await this.db.batch(this.upsertAndTag(candidate, hasSolution, sameError, links));
    const [upserted, session] = results;
    // The class-tagged row when the team has classes, else the upserted one.
    const tagged = results[results.length - 1] as ErrorRecord[];
    const error = tagged[0] ?? firstRow(upserted as ErrorRecord[], "error");
    return { error, inserted: error.id === candidate.id, sessionId: (session as Array<{ id: string }>)[0]?.id ?? null };
  }

  /** The batch of one record: upsert, the author's active session, the session links, the class tags last. */
  private upsertAndTag(
    candidate: NewRecord<ErrorRecord>,
    hasSolution: boolean,
    sameError: SQL,
    links: BatchItem<"sqlite">[],
  ): [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] {
    const { projectId, userId, fingerprint } = candidate;
    return [
      this.db
        .insert(errors)
        .values({ ...candidate, sessionId: activeSessionOf(this.db, projectId, userId) })
        .onConflictDoUpdate({
          target: [errors.projectId, errors.fingerprint],
          set: {
            occurrences: sql`${errors.occurrences} + 1`,
            lastSeen: candidate.lastSeen,
            ...(hasSolution ? { solution: candidate.solution, resolved: true, resolvedAt: candidate.resolvedAt } : {}),
          },
        })
        .returning(),
      this.db.select({ id: codingSessions.id }).from(codingSessions).where(isActiveSessionOf(projectId, userId)),
      ...links,
      this.countDay(projectId, fingerprint, candidate.lastSeen),
      retag(this.db, and(eq(errors.projectId, projectId), eq(errors.fingerprint, fingerprint), TEAM_HAS_CLASSES)),
    ];
  }

  /** Counts one sighting on its UTC day for the error with this fingerprint (inserted or upserted before it). */
  private countDay(projectId: string, fingerprint: string, at: number) {
    return this.db
      .insert(errorOccurrenceDays)
      .select(
        this.db
          .select({
            errorId: errors.id,
            day: sql<number>`${utcDay(at)}`.as("day"),
            count: sql<number>`1`.as("count"),
          })
          .from(errors)
          .where(and(eq(errors.projectId, projectId), eq(errors.fingerprint, fingerprint))),
      )
      .onConflictDoUpdate({
        target: [errorOccurrenceDays.errorId, errorOccurrenceDays.day],
        set: { count: sql`${errorOccurrenceDays.count} + 1` },
      });
  }

  async upsertErrors(
    candidates: Array<NewRecord<ErrorRecord>>,
    options: { delivery?: WebhookDelivery; occurredInLinkIds?: string[] } = {},
  ): Promise<Array<{ error: ErrorRecord; inserted: boolean }>> {
    const linkIds = options.occurredInLinkIds;
    const upserts = candidates.map((candidate) =>
      this.db
        .insert(errors)
        .values({
          ...candidate,
          sessionId: linkIds ? activeSessionOf(this.db, candidate.projectId, candidate.userId) : null,
        })
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
    // Each candidate's statements: its upsert, its session link (when asked), its day's count, its class tags;
    // `group` of them.
    const group = linkIds ? 4 : 3;
    const statements = upserts.flatMap((upsert, index) => {
      const candidate = candidates[index] as NewRecord<ErrorRecord>;
      const same = and(eq(errors.projectId, candidate.projectId), eq(errors.fingerprint, candidate.fingerprint));
      const tag = retag(this.db, and(same, TEAM_HAS_CLASSES));
      const day = this.countDay(candidate.projectId, candidate.fingerprint, candidate.lastSeen);
      if (!linkIds) return [upsert, day, tag] as BatchItem<"sqlite">[];
      const sameError = sql`(SELECT ${errors.id} FROM ${errors} WHERE ${same})`;
      const link = sessionLink(
        this.db,
        linkIds[index] ?? `${candidate.id}:occurred_in`,
        candidate.projectId,
        candidate.userId,
        "error",
        sameError,
        "occurred_in",
        candidate.lastSeen,
      );
      return [upsert, link, day, tag] as BatchItem<"sqlite">[];
    });
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
    const rows = results.slice(guard.length) as ErrorRecord[][];
    return candidates.map((candidate, index) => {
      // The class-tagged row when the team has classes, else the upserted one.
      const tagged = rows[index * group + group - 1] ?? [];
      const error = tagged[0] ?? firstRow(rows[index * group] ?? [], "error");
      return { error, inserted: error.id === candidate.id };
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
      sessionLink(
        this.db,
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

  async occurrenceDays(projectId: string, errorId: string, sinceDay: number) {
    return this.db
      .select({ day: errorOccurrenceDays.day, count: errorOccurrenceDays.count })
      .from(errorOccurrenceDays)
      .innerJoin(errors, eq(errors.id, errorOccurrenceDays.errorId))
      .where(
        and(
          eq(errors.projectId, projectId),
          eq(errorOccurrenceDays.errorId, errorId),
          gte(errorOccurrenceDays.day, sinceDay),
        ),
      )
      .orderBy(errorOccurrenceDays.day);
  }

  async curateError(
    projectId: string,
    errorId: string,
    outcome: Pick<ErrorRecord, "solution" | "resolved" | "resolvedAt">,
  ): Promise<ErrorRecord | null> {
    const [row] = await this.db
      .update(errors)
      .set(outcome)
      .where(and(eq(errors.projectId, projectId), eq(errors.id, errorId)))
      .returning();
    return row ?? null;
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

  searchErrorsLexical(
    projectId: string,
    terms: WeightedTerm[],
    options: { limit: number; filters: ErrorSearchFilters },
  ): Promise<LexicalCandidates> {
    return searchErrorsLexical(this.db, projectId, terms, options);
  }

  termStatistics(projectId: string, terms: string[]): Promise<TermStatistics> {
    return termStatistics(this.db, projectId, terms);
  }
}

/** No vector from `model`: none yet (NULL), an older model's, or failed. `IS NOT` so that NULL counts too. */
function notIndexedWith(model: string): SQL {
  return sql`${errors.vectorModel} IS NOT ${model}`;
}
