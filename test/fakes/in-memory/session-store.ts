import type { PageRequest } from "../../../src/domain/core/ports";
import type { CodingSession, Page } from "../../../src/domain/core/records";
import type { SessionStore } from "../../../src/domain/sessions/ports";
import { copy, keysetPage, type MemoryRecords } from "./records";

/** Twin of D1SessionStore. */
export class InMemorySessionStore implements SessionStore {
  constructor(private readonly records: MemoryRecords) {}

  async insertSession(session: CodingSession): Promise<void> {
    // As D1: the slot was just won, so a row still active for this user and project is stale; close it.
    if (this.records.sessions.has(session.id)) throw new Error("UNIQUE constraint failed: coding_sessions.id");
    const staleId = this.records.activeSessionId(session.projectId, session.userId);
    const stale = staleId === null ? undefined : this.records.sessions.get(staleId);
    if (stale) {
      Object.assign(stale, {
        status: "expired",
        endedAt: session.startedAt,
        summary: "Closed when a new session started: the session slot no longer held it.",
        summarySource: "digest",
      });
    }
    this.records.sessions.set(session.id, copy(session));
  }

  async getSession(projectId: string, sessionId: string): Promise<CodingSession | null> {
    const row = this.records.sessions.get(sessionId);
    return row && row.projectId === projectId ? copy(row) : null;
  }

  async finishSession(
    sessionId: string,
    update: Pick<CodingSession, "status" | "endedAt" | "success" | "summary" | "summarySource">,
  ): Promise<boolean> {
    const row = this.records.sessions.get(sessionId);
    if (!row || row.status !== "active") return false;
    Object.assign(row, copy(update));
    return true;
  }

  async sessionActivity(projectId: string, sessionId: string) {
    const { records } = this;
    const linked = new Set(
      [...records.links.values()]
        .filter((link) => link.toType === "session" && link.toId === sessionId && link.fromType === "error")
        .map((link) => link.fromId),
    );
    const inProject = <T extends { projectId: string; sessionId: string | null }>(rows: Iterable<T>) =>
      [...rows].filter((row) => row.projectId === projectId && row.sessionId === sessionId);
    return {
      changes: inProject(records.changes.values())
        .sort((a, b) => a.createdAt - b.createdAt)
        .map(copy),
      errors: [...records.errors.values()]
        .filter((row) => row.projectId === projectId && (row.sessionId === sessionId || linked.has(row.id)))
        .sort((a, b) => a.firstSeen - b.firstSeen)
        .map(copy),
      decisions: inProject(records.decisions.values())
        .sort((a, b) => a.createdAt - b.createdAt)
        .map(copy),
    };
  }

  async saveModelSummary(projectId: string, sessionId: string, summary: string): Promise<boolean> {
    const row = this.digestOf(projectId, sessionId);
    if (!row) return false;
    row.summary = summary;
    row.summarySource = "llm";
    return true;
  }

  async markSummaryFailed(projectId: string, sessionId: string, reason: string): Promise<boolean> {
    const row = this.digestOf(projectId, sessionId);
    if (!row) return false;
    row.summaryError = reason.slice(0, 500);
    return true;
  }

  async listSessions(projectId: string, page: PageRequest): Promise<Page<CodingSession>> {
    const rows = [...this.records.sessions.values()].filter((row) => row.projectId === projectId);
    return keysetPage(rows, (row) => row.startedAt, page);
  }

  /** The stored row, when it is the project's and still carries the deterministic digest. */
  private digestOf(projectId: string, sessionId: string): CodingSession | null {
    const row = this.records.sessions.get(sessionId);
    return row && row.projectId === projectId && row.summarySource === "digest" ? row : null;
  }
}
