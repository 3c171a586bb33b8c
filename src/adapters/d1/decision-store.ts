import { and, desc, eq } from "drizzle-orm";
import type { NewRecord, PageRequest } from "../../domain/core/ports";
import type { Decision, FileChange, Link, Page } from "../../domain/core/records";
import type { DecisionStore, SessionFilter } from "../../domain/decisions/ports";
import { decisions, fileChanges } from "./schema";
import { activeSessionOf, linkInserts } from "./session-links";
import { database, firstRow, keysetPage, type Db } from "./sql";

/** Decisions and file changes, each written with its links and its session in one atomic batch. */
export class D1DecisionStore implements DecisionStore {
  private readonly db: Db;

  constructor(d1: D1Database) {
    this.db = database(d1);
  }

  async insertDecision(decision: NewRecord<Decision>, linkRows: Link[]): Promise<Decision> {
    const [inserted] = await this.db.batch([
      this.db
        .insert(decisions)
        .values({ ...decision, sessionId: activeSessionOf(this.db, decision.projectId, decision.userId) })
        .returning(),
      ...linkInserts(this.db, linkRows),
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

  async insertFileChange(change: NewRecord<FileChange>, linkRows: Link[]): Promise<FileChange> {
    const [inserted] = await this.db.batch([
      this.db
        .insert(fileChanges)
        .values({ ...change, sessionId: activeSessionOf(this.db, change.projectId, change.userId) })
        .returning(),
      ...linkInserts(this.db, linkRows),
    ]);
    return firstRow(inserted, "file change");
  }

  changesImplementing(projectId: string, decisionId: string): Promise<FileChange[]> {
    return this.db
      .select()
      .from(fileChanges)
      .where(and(eq(fileChanges.projectId, projectId), eq(fileChanges.implementsDecisionId, decisionId)))
      .orderBy(fileChanges.createdAt, fileChanges.id);
  }

  listDecisions(projectId: string, page: PageRequest & SessionFilter): Promise<Page<Decision>> {
    return keysetPage(
      page,
      decisions.createdAt,
      decisions.id,
      (row) => row.createdAt,
      (after, limit) =>
        this.db
          .select()
          .from(decisions)
          .where(
            and(
              eq(decisions.projectId, projectId),
              page.sessionId ? eq(decisions.sessionId, page.sessionId) : undefined,
              after,
            ),
          )
          .orderBy(desc(decisions.createdAt), desc(decisions.id))
          .limit(limit),
    );
  }

  listChanges(projectId: string, page: PageRequest & SessionFilter): Promise<Page<FileChange>> {
    return keysetPage(
      page,
      fileChanges.createdAt,
      fileChanges.id,
      (row) => row.createdAt,
      (after, limit) =>
        this.db
          .select()
          .from(fileChanges)
          .where(
            and(
              eq(fileChanges.projectId, projectId),
              page.sessionId ? eq(fileChanges.sessionId, page.sessionId) : undefined,
              after,
            ),
          )
          .orderBy(desc(fileChanges.createdAt), desc(fileChanges.id))
          .limit(limit),
    );
  }
}
