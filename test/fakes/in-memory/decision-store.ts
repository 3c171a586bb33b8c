import type { NewRecord, PageRequest } from "../../../src/domain/core/ports";
import type { Decision, FileChange, Link, Page } from "../../../src/domain/core/records";
import type { DecisionStore, SessionFilter } from "../../../src/domain/decisions/ports";
import { compareIds, copy, insertNew, keysetPage, type MemoryRecords } from "./records";

/** Twin of D1DecisionStore: each write takes the author's active session and writes its links with it. */
export class InMemoryDecisionStore implements DecisionStore {
  constructor(private readonly records: MemoryRecords) {}

  async insertDecision(decision: NewRecord<Decision>, links: Link[]): Promise<Decision> {
    const stored = { ...copy(decision), sessionId: this.records.activeSessionId(decision.projectId, decision.userId) };
    insertNew(this.records.decisions, stored, "decisions");
    for (const link of links) this.records.addLink(link);
    return copy(stored);
  }

  async getDecision(projectId: string, decisionId: string): Promise<Decision | null> {
    const row = this.records.decisions.get(decisionId);
    return row && row.projectId === projectId ? copy(row) : null;
  }

  async insertFileChange(change: NewRecord<FileChange>, links: Link[]): Promise<FileChange> {
    const stored = { ...copy(change), sessionId: this.records.activeSessionId(change.projectId, change.userId) };
    insertNew(this.records.changes, stored, "file_changes");
    for (const link of links) this.records.addLink(link);
    return copy(stored);
  }

  async changesImplementing(projectId: string, decisionId: string): Promise<FileChange[]> {
    return [...this.records.changes.values()]
      .filter((row) => row.projectId === projectId && row.implementsDecisionId === decisionId)
      .sort((a, b) => a.createdAt - b.createdAt || compareIds(a.id, b.id))
      .map(copy);
  }

  async listDecisions(projectId: string, page: PageRequest & SessionFilter): Promise<Page<Decision>> {
    const rows = [...this.records.decisions.values()].filter(
      (row) => row.projectId === projectId && (!page.sessionId || row.sessionId === page.sessionId),
    );
    return keysetPage(rows, (row) => row.createdAt, page);
  }

  async listChanges(projectId: string, page: PageRequest & SessionFilter): Promise<Page<FileChange>> {
    const rows = [...this.records.changes.values()].filter(
      (row) => row.projectId === projectId && (!page.sessionId || row.sessionId === page.sessionId),
    );
    return keysetPage(rows, (row) => row.createdAt, page);
  }
}
