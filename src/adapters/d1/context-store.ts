import { and, count, desc, eq, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type {
  ContextSnapshot,
  ContextStore,
  GraphEdge,
  GraphEdgeQuery,
  ProjectOverview,
} from "../../domain/context/ports";
import { compareEdges, EDGE_SOURCES, edgeCursorOf, type EdgeCursor } from "../../domain/context/graph-edges";
import { codingSessions, decisions, errors, fileChanges, links } from "./schema";
import { database, ftsQuery, pathMatches, type Db } from "./sql";

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

/** Read models across records: the project context's snapshot, pattern inputs and memory-graph edges. */
export class D1ContextStore implements ContextStore {
  private readonly db: Db;

  constructor(d1: D1Database) {
    this.db = database(d1);
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

  async overview(projectId: string, since: number, ciLimit: number): Promise<ProjectOverview> {
    const [errorCounts, sessionCounts, decisionCount, ciFailures] = await this.db.batch([
      this.db
        .select({
          open: sql<number>`coalesce(sum(${errors.resolved} = 0), 0)`,
          resolved: sql<number>`coalesce(sum(${errors.resolved} = 1), 0)`,
          recurring: sql<number>`coalesce(sum(${errors.lastSeen} >= ${since} AND ${errors.firstSeen} < ${since}), 0)`,
          fresh: sql<number>`coalesce(sum(${errors.firstSeen} >= ${since}), 0)`,
        })
        .from(errors)
        .where(eq(errors.projectId, projectId)),
      this.db
        .select({ total: count(), active: sql<number>`coalesce(sum(${codingSessions.status} = 'active'), 0)` })
        .from(codingSessions)
        .where(eq(codingSessions.projectId, projectId)),
      this.db.select({ n: count() }).from(decisions).where(eq(decisions.projectId, projectId)),
      this.db
        .select()
        .from(errors)
        .where(and(eq(errors.projectId, projectId), eq(errors.source, "ci")))
        .orderBy(desc(errors.lastSeen), errors.id)
        .limit(ciLimit),
    ]);
    const e = errorCounts[0];
    return {
      errors: { open: e?.open ?? 0, resolved: e?.resolved ?? 0, recurring: e?.recurring ?? 0, new: e?.fresh ?? 0 },
      sessions: { total: sessionCounts[0]?.total ?? 0, active: sessionCounts[0]?.active ?? 0 },
      decisions: decisionCount[0]?.n ?? 0,
      ciFailures,
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
        .select({
          errorType: errors.errorType,
          occurrences: errors.occurrences,
          resolved: errors.resolved,
          tags: errors.tags,
        })
        .from(errors)
        .where(eq(errors.projectId, projectId))
        .limit(10_000),
    ]);
    return { changes, errors: errorRows };
  }

  async fileLessons(projectId: string, path: string, limit: number) {
    // Either path may be the longer one; a bare file name recorded without a directory matches only itself.
    const either = (column: SQLiteColumn) =>
      sql`(${pathMatches(column, path)} OR (instr(${column}, '/') > 0 AND substr(${path}, -(length(${column}) + 1)) = '/' || ${column}))`;
    const [errorRows, decisionRows] = await this.db.batch([
      this.db
        .select()
        .from(errors)
        .where(
          and(
            eq(errors.projectId, projectId),
            either(errors.filePath),
            or(sql`${errors.occurrences} >= 2`, eq(errors.resolved, true)),
          ),
        )
        .orderBy(desc(errors.lastSeen), desc(errors.id))
        .limit(limit),
      this.db
        .selectDistinct({ decision: decisions })
        .from(decisions)
        .innerJoin(
          links,
          and(
            eq(links.projectId, decisions.projectId),
            eq(links.fromType, "decision"),
            eq(links.fromId, decisions.id),
            eq(links.relation, "concerns"),
            eq(links.toType, "file"),
          ),
        )
        .where(and(eq(decisions.projectId, projectId), either(links.toId)))
        .orderBy(desc(decisions.createdAt), desc(decisions.id))
        .limit(limit),
    ]);
    return { errors: errorRows, decisions: decisionRows.map((row) => row.decision) };
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
}
