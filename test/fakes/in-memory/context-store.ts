import type {
  ContextSnapshot,
  ContextStore,
  GraphEdge,
  GraphEdgeQuery,
  ProjectOverview,
} from "../../../src/domain/context/ports";
import { compareEdges, EDGE_SOURCES, edgeCursorOf } from "../../../src/domain/context/graph-edges";
import { matchesFilePath } from "../../../src/domain/errors/filters";
import type { Decision, ErrorRecord, FileChange } from "../../../src/domain/core/records";
import { copy, words, type MemoryRecords } from "./records";

/**
 * Twin of D1ContextStore. Focus terms match whole words of the columns D1's FTS indexes hold (file path, reason
 * and diff of a change; decision, rationale, impact and tags of a decision; an error's search terms), without
 * FTS5's porter stemming: `payments` does not find `payment` here, where D1 would.
 */
export class InMemoryContextStore implements ContextStore {
  constructor(private readonly records: MemoryRecords) {}

  async contextSnapshot(projectId: string, focusTerms: string[], perSection: number): Promise<ContextSnapshot> {
    const focus = focusTerms.length ? new Set(focusTerms.map((term) => term.toLowerCase())) : null;
    const matches = (...texts: Array<string | null>) =>
      focus === null || texts.some((text) => [...words(text)].some((word) => focus.has(word)));
    const changes = this.changes(projectId);
    const errors = this.errors(projectId);
    const decisions = this.decisions(projectId);
    const focusedChanges = changes.filter((row) => matches(row.filePath, row.reason, row.diff));
    const focusedErrors = errors.filter(
      (row) => focus === null || [...words(row.searchTerms, true)].some((w) => focus.has(w)),
    );
    const hot = new Map<string, number>();
    for (const row of focusedChanges) hot.set(row.filePath, (hot.get(row.filePath) ?? 0) + 1);
    return {
      recentChanges: [...focusedChanges]
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, perSection)
        .map(copy),
      openErrors: focusedErrors
        .filter((row) => !row.resolved)
        .sort((a, b) => b.occurrences - a.occurrences || b.lastSeen - a.lastSeen)
        .slice(0, perSection)
        .map(copy),
      resolvedErrors: focusedErrors
        .filter((row) => row.resolved)
        .sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0))
        .slice(0, perSection)
        .map(copy),
      decisions: decisions
        .filter((row) => matches(row.decision, row.rationale, row.impact, JSON.stringify(row.tags)))
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, perSection)
        .map(copy),
      hotFiles: [...hot]
        .map(([filePath, count]) => ({ filePath, changes: count }))
        .sort((a, b) => b.changes - a.changes || (a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0))
        .slice(0, 10),
      knownPaths: [...new Set(changes.map((row) => row.filePath))].slice(0, 2000),
      totals: {
        changes: changes.length,
        errors: errors.length,
        openErrors: errors.filter((row) => !row.resolved).length,
        decisions: decisions.length,
        sessions: [...this.records.sessions.values()].filter((row) => row.projectId === projectId).length,
      },
    };
  }

  async patternInputs(projectId: string) {
    return {
      changes: this.changes(projectId)
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, 10_000)
        .map(({ filePath, action, createdAt }) => ({ filePath, action, createdAt })),
      errors: this.errors(projectId)
        .slice(0, 10_000)
        .map(({ errorType, occurrences, resolved, tags }) => ({ errorType, occurrences, resolved, tags: [...tags] })),
    };
  }

  async fileLessons(projectId: string, path: string, limit: number) {
    const either = (recorded: string | null) =>
      recorded !== null &&
      (matchesFilePath(recorded, path) || (recorded.includes("/") && matchesFilePath(path, recorded)));
    const concerning = new Set(
      [...this.records.links.values()]
        .filter(
          (link) =>
            link.projectId === projectId &&
            link.fromType === "decision" &&
            link.relation === "concerns" &&
            link.toType === "file" &&
            either(link.toId),
        )
        .map((link) => link.fromId),
    );
    const newest =
      <T extends { id: string }>(time: (row: T) => number) =>
      (a: T, b: T) =>
        time(b) - time(a) || (a.id < b.id ? 1 : -1);
    return {
      errors: this.errors(projectId)
        .filter((row) => either(row.filePath) && (row.occurrences >= 2 || row.resolved))
        .sort(newest((row) => row.lastSeen))
        .slice(0, limit)
        .map(copy),
      decisions: this.decisions(projectId)
        .filter((row) => concerning.has(row.id))
        .sort(newest((row) => row.createdAt))
        .slice(0, limit)
        .map(copy),
    };
  }

  async graphEdges(projectId: string, query: GraphEdgeQuery): Promise<GraphEdge[]> {
    const { node, relation, after, limit } = query;
    const touches = (type: string) => node === null || node.type === type;
    const edges: GraphEdge[] = [];
    for (const link of this.records.links.values()) {
      if (link.projectId !== projectId) continue;
      const from = { type: link.fromType, id: link.fromId };
      const to = { type: link.toType, id: link.toId };
      if (node && !(sameNode(from, node) || sameNode(to, node))) continue;
      edges.push({
        from,
        relation: link.relation,
        to,
        createdAt: link.createdAt,
        source: EDGE_SOURCES.links,
        key: link.id,
      });
    }
    for (const error of this.errors(projectId)) {
      if (error.solution !== null && (touches("error") || touches("solution")) && (!node || error.id === node.id)) {
        edges.push({
          from: { type: "error", id: error.id },
          relation: "solved_by",
          to: { type: "solution", id: error.id },
          createdAt: error.resolvedAt ?? error.createdAt,
          label: error.solution.slice(0, 200),
          source: EDGE_SOURCES.solvedBy,
          key: error.id,
        });
      }
      if (
        error.filePath !== null &&
        (touches("error") || touches("file")) &&
        nodeIs(node, "error", error.id, error.filePath)
      ) {
        edges.push({
          from: { type: "error", id: error.id },
          relation: "about",
          to: { type: "file", id: error.filePath },
          createdAt: error.createdAt,
          source: EDGE_SOURCES.about,
          key: error.id,
        });
      }
    }
    for (const change of this.changes(projectId)) {
      if (!(touches("change") || touches("file")) || !nodeIs(node, "change", change.id, change.filePath)) continue;
      edges.push({
        from: { type: "change", id: change.id },
        relation: "modifies",
        to: { type: "file", id: change.filePath },
        createdAt: change.createdAt,
        source: EDGE_SOURCES.modifies,
        key: change.id,
      });
    }
    return edges
      .filter((edge) => relation === null || edge.relation === relation)
      .filter((edge) => after === null || compareEdges(after, edgeCursorOf(edge)) < 0)
      .sort((a, b) => compareEdges(edgeCursorOf(a), edgeCursorOf(b)))
      .slice(0, limit);
  }

  async overview(projectId: string, since: number, ciLimit: number): Promise<ProjectOverview> {
    const errors = this.errors(projectId);
    const sessions = [...this.records.sessions.values()].filter((row) => row.projectId === projectId);
    return {
      errors: {
        open: errors.filter((e) => !e.resolved).length,
        resolved: errors.filter((e) => e.resolved).length,
        recurring: errors.filter((e) => e.lastSeen >= since && e.firstSeen < since).length,
        new: errors.filter((e) => e.firstSeen >= since).length,
      },
      sessions: { total: sessions.length, active: sessions.filter((row) => row.status === "active").length },
      decisions: this.decisions(projectId).length,
      ciFailures: errors
        .filter((e) => e.source === "ci")
        .sort((a, b) => b.lastSeen - a.lastSeen || a.id.localeCompare(b.id))
        .slice(0, ciLimit)
        .map(copy),
    };
  }

  private changes(projectId: string): FileChange[] {
    return [...this.records.changes.values()].filter((row) => row.projectId === projectId);
  }

  private errors(projectId: string): ErrorRecord[] {
    return [...this.records.errors.values()].filter((row) => row.projectId === projectId);
  }

  private decisions(projectId: string): Decision[] {
    return [...this.records.decisions.values()].filter((row) => row.projectId === projectId);
  }
}

function sameNode(a: { type: string; id: string }, b: { type: string; id: string }): boolean {
  return a.type === b.type && a.id === b.id;
}

/** A derived edge's filter: no node, the record itself (by id), or its file (the path or a trailing part of it). */
function nodeIs(node: GraphEdgeQuery["node"], recordType: string, id: string, filePath: string): boolean {
  if (node === null) return true;
  if (node.type === recordType) return node.id === id;
  return node.type === "file" && matchesFilePath(filePath, node.id);
}
