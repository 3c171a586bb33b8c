import type { PageRequest } from "../core/ports";
import type { CodingSession, Decision, ErrorRecord, FileChange, Page } from "../core/records";

/** Session rows (D1 in production and tests); the live slot is the SessionStateStore's. */
export interface SessionStore {
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
  listSessions(projectId: string, page: PageRequest): Promise<Page<CodingSession>>;
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
