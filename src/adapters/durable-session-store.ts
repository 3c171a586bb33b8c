import type { ActiveSession, SessionKey, SessionStateStore } from "../domain/sessions/ports";
import type { ApprovalStore, PendingApproval } from "../domain/llm/ports";

/**
 * What this adapter calls on one user+project's session object; durable-objects/project-session.ts implements
 * it. Declared here, by the caller, so the adapter names no Durable Object class (and none of the imports the
 * object's alarm needs).
 */
export interface SessionSlotRpc {
  /** Takes the active-session slot unless it is held; atomic, so of two concurrent starts one wins. */
  start(session: ActiveSession): Promise<{ started: true } | { started: false; active: ActiveSession }>;
  /** Replaces the held session only while it is still `expectedId`. */
  replace(expectedId: string, session: ActiveSession): Promise<boolean>;
  /** Confirms a pending start once its D1 row is written. */
  confirm(sessionId: string): Promise<boolean>;
  active(): Promise<ActiveSession | null>;
  /** Frees the slot if `sessionId` still holds it. */
  clear(sessionId: string): Promise<void>;
  putApproval(approval: PendingApproval): Promise<void>;
  /** Removes and returns an approval; one decision per approval. */
  takeApproval(id: string, now: number): Promise<PendingApproval | "expired" | null>;
  /** The approvals still waiting at `now`, oldest first. */
  pendingApprovals(now: number): Promise<PendingApproval[]>;
}

/** The binding as this adapter sees it (`PROJECT_SESSION` in wrangler.toml). */
export type SessionSlotNamespace = DurableObjectNamespace<SessionSlotRpc & Rpc.DurableObjectBranded>;

/** SessionStateStore on the ProjectSession Durable Object namespace: one object per user+project. */
export class DurableSessionStore implements SessionStateStore, ApprovalStore {
  constructor(private readonly namespace: SessionSlotNamespace) {}

  private objectFor(key: SessionKey) {
    return this.namespace.get(this.namespace.idFromName(`${key.userId}:${key.projectId}`));
  }

  async start(key: SessionKey, session: ActiveSession) {
    return this.objectFor(key).start(session);
  }

  async active(key: SessionKey) {
    return this.objectFor(key).active();
  }

  async confirm(key: SessionKey, sessionId: string) {
    return this.objectFor(key).confirm(sessionId);
  }

  async replace(key: SessionKey, expectedId: string, session: ActiveSession) {
    return this.objectFor(key).replace(expectedId, session);
  }

  async clear(key: SessionKey, sessionId: string) {
    await this.objectFor(key).clear(sessionId);
  }

  async put(key: SessionKey, approval: PendingApproval) {
    await this.objectFor(key).putApproval(approval);
  }

  async take(key: SessionKey, id: string, now: number) {
    return this.objectFor(key).takeApproval(id, now);
  }

  async pending(key: SessionKey, now: number) {
    return this.objectFor(key).pendingApprovals(now);
  }
}
