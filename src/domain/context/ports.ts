import type { Decision, ErrorRecord, FileChange, Project } from "../core/records";

/** Read models across the project's records, for its context, its patterns and its memory graph. */
export interface ContextStore {
  /** `perSection` caps each list; the context builder then fits what it can into its token budget. */
  contextSnapshot(projectId: string, focusTerms: string[], perSection: number): Promise<ContextSnapshot>;
  patternInputs(projectId: string): Promise<{
    changes: Array<{ filePath: string; action: string; createdAt: number }>;
    errors: Array<{ errorType: string; occurrences: number; resolved: boolean; tags: string[] }>;
  }>;
  /**
   * Typed edges of the project's memory graph, newest first: stored links (change -implements-> decision,
   * decision -concerns-> file, error -occurred_in-> session, …) and edges derived from records (error
   * -solved_by-> solution, error -about-> file, change -modifies-> file). `node` keeps edges touching it.
   */
  graphEdges(projectId: string, query: GraphEdgeQuery): Promise<GraphEdge[]>;
  /**
   * What the team learned about one file: its errors that recurred or were fixed (newest first), and the
   * decisions that concern it (newest first), at most `limit` of each. A path matches when either path is the
   * other or ends with it at a `/` boundary (a recorded `src/auth.py` and an edited `/home/me/repo/src/auth.py`).
   */
  fileLessons(
    projectId: string,
    path: string,
    limit: number,
  ): Promise<{ errors: ErrorRecord[]; decisions: Decision[] }>;
  /** The project at a glance (the dashboard's overview): counts, and its `ciLimit` latest CI failures. */
  overview(projectId: string, since: number, ciLimit: number): Promise<ProjectOverview>;
}

export interface ProjectOverview {
  errors: {
    open: number;
    resolved: number;
    /** Seen at or after `since`, first seen before it: the errors that came back. */
    recurring: number;
    /** First seen at or after `since`. */
    new: number;
  };
  sessions: { total: number; active: number };
  decisions: number;
  /** The latest errors reported by CI, newest sighting first. */
  ciFailures: ErrorRecord[];
}

/** What the context builder needs; `focus` filtering happens in the store so it can use the FTS indexes. */
export interface ContextSnapshot {
  recentChanges: FileChange[];
  openErrors: ErrorRecord[];
  resolvedErrors: ErrorRecord[];
  decisions: Decision[];
  hotFiles: Array<{ filePath: string; changes: number }>;
  knownPaths: string[];
  totals: { changes: number; errors: number; openErrors: number; decisions: number; sessions: number };
}

/** A file a memory is tied to that the code index saw change (or disappear) after the memory was recorded. */
export interface StaleFile {
  path: string;
  changedAt: number;
  deleted: boolean;
}

/** Answers which memories' files changed since they were recorded (the code index; keyed by memory key). */
export type StalenessSource = (
  project: Project,
  memories: Array<{ key: string; paths: string[]; recordedAt: number }>,
) => Promise<Map<string, StaleFile[]>>;

/** An architecture diagram as the project context shows it (see ArchitectureService). */
export interface ArchitectureOverview {
  id: string;
  title: string;
  pattern: string;
  confidence: "high" | "medium" | "low";
  components: string[];
  connections: number;
  createdAt: number;
}
/** The project's newest architecture diagrams, newest first. */
export type ArchitectureSource = (projectId: string, limit: number) => Promise<ArchitectureOverview[]>;

export interface GraphNode {
  type: string;
  id: string;
}

export interface GraphEdge {
  from: GraphNode;
  relation: string;
  to: GraphNode;
  createdAt: number;
  /** Short text of the target when it has no record of its own (a solution). */
  label?: string;
  /** Position in the listing (src/domain/context/graph-edges.ts): the source it comes from and its id there. */
  source: number;
  key: string;
}

export interface GraphEdgeQuery {
  node: GraphNode | null;
  relation: string | null;
  /** Edges listed after this position only (the previous page's last edge). */
  after: EdgeCursor | null;
  /** At most this many, the first in listing order. */
  limit: number;
}

/** The position of the last edge of a page: the next page starts after it. */
export interface EdgeCursor {
  at: number;
  source: number;
  id: string;
}
