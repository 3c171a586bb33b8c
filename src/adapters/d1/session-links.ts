/**
 * Writes that link new activity to the author's active session, as parts of the write's own atomic batch: the
 * session row is read by subquery inside the batch, so a record and its session link commit together or not at all.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Link } from "../../domain/core/records";
import { codingSessions, links } from "./schema";
import type { Db } from "./sql";

/** The user's active session row in the project (the one-active-row index allows at most one). */
export function isActiveSessionOf(projectId: string | SQL, userId: string): SQL | undefined {
  return and(
    eq(codingSessions.projectId, projectId),
    eq(codingSessions.userId, userId),
    eq(codingSessions.status, "active"),
  );
}

/** The author's active session id as a scalar subquery, evaluated inside the write's own batch. */
export function activeSessionOf(db: Db, projectId: string, userId: string): SQL {
  return sql`(${db.select({ id: codingSessions.id }).from(codingSessions).where(isActiveSessionOf(projectId, userId))})`;
}

/** Links a record to the author's active session, if there is one (inserts nothing otherwise). */
export function sessionLink(
  db: Db,
  linkId: string,
  projectId: string | SQL,
  userId: string,
  fromType: string,
  fromId: string | SQL,
  relation: string,
  now: number,
) {
  return db
    .insert(links)
    .select(
      db
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
        .where(isActiveSessionOf(projectId, userId)),
    )
    .onConflictDoNothing();
}

/** Plain link rows (change -implements-> decision, decision -concerns-> file), idempotent by id. */
export function linkInserts(db: Db, linkRows: Link[]): BatchItem<"sqlite">[] {
  return linkRows.map((link) => db.insert(links).values(link).onConflictDoNothing());
}
