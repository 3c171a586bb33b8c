import { and, desc, eq, inArray, or } from "drizzle-orm";
import type { PageRequest } from "../../domain/core/ports";
import type { CodingSession, Page } from "../../domain/core/records";
import type { SessionStore } from "../../domain/sessions/ports";
import { codingSessions, decisions, errors, fileChanges, links } from "./schema";
import { isActiveSessionOf } from "./session-links";
import { database, keysetPage, type Db } from "./sql";

/** Session rows; the live slot is the ProjectSession Durable Object's (DurableSessionStore). */
export class D1SessionStore implements SessionStore {
  private readonly db: Db;

  constructor(d1: D1Database) {
    this.db = database(d1);
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
        .where(isActiveSessionOf(session.projectId, session.userId)),
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

  saveModelSummary(projectId: string, sessionId: string, summary: string): Promise<boolean> {
    return this.updateDigest(projectId, sessionId, { summary, summarySource: "llm" });
  }

  markSummaryFailed(projectId: string, sessionId: string, reason: string): Promise<boolean> {
    return this.updateDigest(projectId, sessionId, { summaryError: reason.slice(0, 500) });
  }

  /** Changes a session whose summary is still the digest; false once a model's or the user's summary replaced it. */
  private async updateDigest(
    projectId: string,
    sessionId: string,
    set: Partial<typeof codingSessions.$inferInsert>,
  ): Promise<boolean> {
    const rows = await this.db
      .update(codingSessions)
      .set(set)
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
}
