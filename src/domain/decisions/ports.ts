import type { NewRecord, PageRequest } from "../core/ports";
import type { Decision, FileChange, Link, Page } from "../core/records";

/**
 * Decisions and the file changes that implement them (D1 in production and tests). Writes link new activity to
 * the author's active session inside the same atomic batch, reading the session row that the ProjectSession
 * Durable Object's start/end keep in step, so a write costs one round trip.
 */
export interface DecisionStore {
  insertDecision(decision: NewRecord<Decision>, links: Link[]): Promise<Decision>;
  getDecision(projectId: string, decisionId: string): Promise<Decision | null>;
  insertFileChange(change: NewRecord<FileChange>, links: Link[]): Promise<FileChange>;
  /** Changes tracked with `implements_decision_id` = this decision, oldest first. */
  changesImplementing(projectId: string, decisionId: string): Promise<FileChange[]>;
  /** Newest first; `sessionId` keeps those made in that coding session. */
  listDecisions(projectId: string, page: PageRequest & SessionFilter): Promise<Page<Decision>>;
  listChanges(projectId: string, page: PageRequest & SessionFilter): Promise<Page<FileChange>>;
}

export interface SessionFilter {
  sessionId?: string | null;
}
