import type { ActiveSession, SessionKey, SessionStateStore } from "../domain/sessions/ports";
import type { ApprovalStore, PendingApproval } from "../domain/llm/ports";
import type { ProjectSession } from "../../durable-objects/project-session";

/** SessionStateStore on the ProjectSession Durable Object namespace: one object per user+project. */
export class DurableSessionStore implements SessionStateStore, ApprovalStore {
  constructor(private readonly namespace: DurableObjectNamespace<ProjectSession>) {}

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
}
