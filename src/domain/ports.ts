import type { EdgeCursor } from "./context/graph-edges";
import type { HeldOperation } from "./llm/types";
import type { ErrorSearchFilters } from "./errors/filters";
import type { TeamRole } from "./core/access";
import type {
  CodingSession,
  Decision,
  ErrorRecord,
  FileChange,
  Link,
  Page,
  Project,
  ProjectAccess,
} from "./core/records";

/** Persistent records (D1 in production and tests). Every multi-row write is atomic. */
export interface MemoryStore {
  /**
   * The projects with this exact name in the teams the user is a member of (only in `team`, a team slug or id,
   * when given), with their team and the user's role there. Projects of teams the user is not in are never
   * returned, so nothing about them can leak.
   */
  projectsNamed(name: string, userId: string, team: string | null): Promise<ProjectAccess[]>;
  /** The project by id, if the user is a member of its team. */
  projectAccess(projectId: string, userId: string): Promise<ProjectAccess | null>;
  /** The user's membership of a team named by slug or id. */
  memberTeam(team: string, userId: string): Promise<{ teamId: string; teamSlug: string; role: TeamRole } | null>;
  /** Creates the project in the team; does nothing when another request created the name there first. */
  createProject(project: Project, teamId: string, createdBy: string, now: number): Promise<void>;
  /** The user's personal team (a team of one, created on first need); its id. */
  ensurePersonalTeam(userId: string, now: number): Promise<string>;
  teamRole(teamId: string, userId: string): Promise<TeamRole | null>;

  /** Records a session whose slot was just won; closes any stale row still marked active for that user+project. */
  insertSession(session: CodingSession): Promise<void>;
  getSession(projectId: string, sessionId: string): Promise<CodingSession | null>;
  /** Moves an active session to ended/expired; false when it was no longer active (someone else ended it). */
  finishSession(
    sessionId: string,
    update: Pick<CodingSession, "status" | "endedAt" | "success" | "summary" | "summarySource">,
  ): Promise<boolean>;
  sessionActivity(
    projectId: string,
    sessionId: string,
  ): Promise<{ changes: FileChange[]; errors: ErrorRecord[]; decisions: Decision[] }>;
  /**
   * Replaces an ended session's digest with a model's summary. Only a digest is replaced (never the user's own
   * summary, never an earlier model summary), so running a summary job twice writes once: false the second time.
   */
  saveModelSummary(projectId: string, sessionId: string, summary: string): Promise<boolean>;
  /** Records why a session's AI summary cannot be written (it keeps its digest); false if it no longer has one. */
  markSummaryFailed(projectId: string, sessionId: string, reason: string): Promise<boolean>;

  /**
   * Writes link new activity to the author's active session inside the same atomic batch, reading the session
   * row that the ProjectSession Durable Object's start/end keep in step, so a write costs one round trip.
   */
  insertFileChange(change: NewRecord<FileChange>, links: Link[]): Promise<FileChange>;

  /**
   * Inserts the error, or, when the project already has one with this fingerprint, counts another occurrence
   * of it (and takes the solution if one is given). Links the occurrence to the author's active session.
   */
  upsertError(
    candidate: NewRecord<ErrorRecord>,
    linkIds: { occurredIn: string; resolvedIn: string },
  ): Promise<{ error: ErrorRecord; inserted: boolean; sessionId: string | null }>;
  resolveError(
    errorId: string,
    solution: string,
    resolvedAt: number,
    author: { userId: string; resolvedInLinkId: string },
  ): Promise<{ error: ErrorRecord; sessionId: string | null }>;
  /**
   * Bulk form of `upsertError` for imports, in one atomic batch, in input order: each candidate is inserted or
   * counted as another occurrence (also of an earlier candidate of the same batch). No session links.
   */
  upsertErrors(
    candidates: Array<NewRecord<ErrorRecord>>,
    options?: { delivery?: WebhookDelivery },
  ): Promise<Array<{ error: ErrorRecord; inserted: boolean }>>;
  getError(projectId: string, errorId: string): Promise<ErrorRecord | null>;
  /** Rewrites an error's details (not its identity: type, message and fingerprint stay). */
  updateErrorDetails(
    projectId: string,
    errorId: string,
    details: Pick<ErrorRecord, "filePath" | "lineNumber" | "stackTrace" | "stackTraceTruncated" | "searchTerms">,
  ): Promise<ErrorRecord>;
  /** The project's errors among `ids`, in no particular order; unknown ids and other projects' errors are left out. */
  getErrorsByIds(projectId: string, ids: string[]): Promise<ErrorRecord[]>;

  /** How many of the project's errors have no vector from `model` (none yet, an older model's, or failed). */
  countErrorsNotVectorIndexed(projectId: string, model: string): Promise<number>;
  /** All of the project's errors, those with a vector from `model`, and those marked `VECTOR_FAILED`. */
  errorVectorCounts(projectId: string, model: string): Promise<{ total: number; indexed: number; failed: number }>;
  /** Ids of the project's errors without a vector from `model`, ascending, after `afterId` (keyset paging). */
  listErrorIdsNotVectorIndexed(
    projectId: string,
    model: string,
    afterId: string | null,
    limit: number,
  ): Promise<string[]>;
  /** Records that these errors' vectors now come from `model`, in one atomic batch. */
  markErrorsVectorIndexed(projectId: string, ids: string[], model: string, at: number): Promise<void>;
  /**
   * Marks these errors `VECTOR_FAILED`, except those indexed after `requestedAt` (a later job already succeeded).
   * Returns how many were marked.
   */
  markErrorsVectorFailed(projectId: string, ids: string[], requestedAt: number, at: number): Promise<number>;
  /**
   * Makes errors pending again (no vector, `vectorIndexedAt = at`): every error of the project, or only those
   * marked `VECTOR_FAILED`.
   */
  resetErrorVectorState(projectId: string, which: "all" | "failed", at: number): Promise<void>;
  /**
   * Errors of any project still without a vector whose last indexing request (or creation) is older than
   * `olderThan`, oldest first; each is stamped `vectorIndexedAt = at` in the same step, so the next sweep leaves
   * it alone until it is overdue again.
   */
  claimOverdueUnindexedErrors(
    olderThan: number,
    at: number,
    limit: number,
  ): Promise<Array<{ projectId: string; id: string }>>;
  /**
   * Lexical candidates for a search that pass the filters: each error with its BM25 rank (lower is better, as
   * SQLite reports it). Filters mean exactly what `matchesErrorFilters` means.
   */
  searchErrorsLexical(
    projectId: string,
    terms: string[],
    options: { limit: number; filters: ErrorSearchFilters },
  ): Promise<Array<{ error: ErrorRecord; bm25: number }>>;

  insertDecision(decision: NewRecord<Decision>, links: Link[]): Promise<Decision>;
  getDecision(projectId: string, decisionId: string): Promise<Decision | null>;
  /**
   * Typed edges of the project's memory graph, newest first: stored links (change -implements-> decision,
   * decision -concerns-> file, error -occurred_in-> session, …) and edges derived from records (error
   * -solved_by-> solution, error -about-> file, change -modifies-> file). `node` keeps edges touching it.
   */
  graphEdges(projectId: string, query: GraphEdgeQuery): Promise<GraphEdge[]>;
  /** Changes tracked with `implements_decision_id` = this decision, oldest first. */
  changesImplementing(projectId: string, decisionId: string): Promise<FileChange[]>;

  listSessions(projectId: string, page: PageRequest): Promise<Page<CodingSession>>;
  listErrors(projectId: string, page: PageRequest & { resolved?: boolean }): Promise<Page<ErrorRecord>>;
  listDecisions(projectId: string, page: PageRequest): Promise<Page<Decision>>;
  listChanges(projectId: string, page: PageRequest): Promise<Page<FileChange>>;

  /** `perSection` caps each list; the context builder then fits what it can into its token budget. */
  contextSnapshot(projectId: string, focusTerms: string[], perSection: number): Promise<ContextSnapshot>;
  patternInputs(projectId: string): Promise<{
    changes: Array<{ filePath: string; action: string; createdAt: number }>;
    errors: Array<{ errorType: string; occurrences: number; resolved: boolean }>;
  }>;
}

/** A file a memory is tied to that the code index saw change (or disappear) after the memory was recorded. */
export interface StaleFile {
  path: string;
  changedAt: number;
  deleted: boolean;
}

/** Answers which memories' files changed since they were recorded (the code index; keyed by memory key). */
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

export type StalenessSource = (
  project: Project,
  memories: Array<{ key: string; paths: string[]; recordedAt: number }>,
) => Promise<Map<string, StaleFile[]>>;

/**
 * A CI delivery, written with the errors it reports; a delivery id or body hash seen before is a `conflict`
 * (nothing written).
 */
export interface WebhookDelivery {
  projectId: string;
  deliveryId: string;
  source: string;
  event: string;
  receivedAt: number;
  errorsRecorded: number;
  /** SHA-256 (hex) of the delivered body, so a replayed body under a new delivery id is refused too. */
  bodySha256: string | null;
}

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

/** A record before storage: the store fills in the session it belongs to. */
export type NewRecord<T extends { sessionId: string | null }> = Omit<T, "sessionId">;

export interface PageRequest {
  limit: number;
  cursor: string | null;
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

export interface SessionKey {
  userId: string;
  projectId: string;
}

export interface ActiveSession {
  id: string;
  projectId: string;
  userId: string;
  description: string;
  startedAt: number;
  expiresAt: number;
  /**
   * Set while the start is in progress (slot won, D1 row not yet confirmed): until this time the slot is the
   * starting request's; after it, a slot whose row never appeared is a crashed start and may be taken over.
   * Absent once confirmed.
   */
  pendingUntil?: number;
}

/** The per-user+project live state (a Durable Object in production and tests). */
export interface SessionStateStore {
  /** Atomic: exactly one of two concurrent starts succeeds; the loser learns who holds the slot. */
  start(
    key: SessionKey,
    session: ActiveSession,
  ): Promise<{ started: true } | { started: false; active: ActiveSession }>;
  active(key: SessionKey): Promise<ActiveSession | null>;
  /** Marks the slot's start as recorded (drops `pendingUntil`); false if the slot no longer holds this session. */
  confirm(key: SessionKey, sessionId: string): Promise<boolean>;
  /** Atomic compare-and-swap: puts `session` in the slot only if it still holds `expectedId`. */
  replace(key: SessionKey, expectedId: string, session: ActiveSession): Promise<boolean>;
  /** Frees the slot if it still holds this session. */
  clear(key: SessionKey, sessionId: string): Promise<void>;
}

/** Things the domain must not take from globals, so tests and benches can control them. */
export interface Runtime {
  now(): number;
  newId(): string;
  sha256Hex(text: string): Promise<string>;
}

/**
 * Work for the indexer: (re)compute the vectors of some errors of one project. `requestedAt` lets a dead-lettered
 * job tell whether a later job has already indexed the error since.
 */
export interface IndexJob {
  kind: "index_errors";
  projectId: string;
  /** At most `MAX_IDS_PER_INDEX_JOB` ids. */
  errorIds: string[];
  requestedAt: number;
}

/** Where indexing work waits to run off the request path (a Cloudflare Queue in production and tests). */
export interface IndexQueue {
  enqueue(jobs: IndexJob[]): Promise<void>;
}

/** Work for the summary consumer: summarise one ended session with the project's model. */
export interface SummaryJob {
  kind: "session_summary";
  projectId: string;
  sessionId: string;
  userId: string;
  /** The user approved this operation's estimate (or it needed no approval when queued). */
  approved: boolean;
  requestedAt: number;
}

export interface SummaryQueue {
  enqueue(job: SummaryJob): Promise<void>;
}

/** An LLM operation waiting for the user's yes or no, held per user+project with an expiry. */
export interface PendingApproval {
  id: string;
  operation: HeldOperation;
  projectId: string;
  userId: string;
  /**
   * What the operation is about: the session id of a summary, the error id of a suggestion ("" for text), the
   * attachment id of a screenshot or diagram.
   */
  subjectId: string;
  /** Input the operation needs besides the subject (the error text of a suggestion for an unrecorded error). */
  input: string | null;
  estimate: { provider: string; model: string; inputTokens: number; outputTokens: number; usd: number };
  createdAt: number;
  expiresAt: number;
}

export interface ApprovalStore {
  put(key: SessionKey, approval: PendingApproval): Promise<void>;
  /** Removes and returns the approval; `expired` when it passed its expiry (and is removed too). */
  take(key: SessionKey, id: string, now: number): Promise<PendingApproval | "expired" | null>;
}
