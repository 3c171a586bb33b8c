import { AppError } from "../../../src/domain/core/app-error";
import type { NewRecord, PageRequest } from "../../../src/domain/core/ports";
import { VECTOR_FAILED, type ErrorRecord, type Page } from "../../../src/domain/core/records";
import { matchesErrorFilters, type ErrorSearchFilters } from "../../../src/domain/errors/filters";
import type {
  ErrorStore,
  LexicalCandidates,
  TermStatistics,
  WebhookDelivery,
  WeightedTerm,
} from "../../../src/domain/errors/ports";
import { matchTerms } from "../../../src/domain/errors/ranking";
import { compareIds, copy, insertNew, keysetPage, words, type MemoryRecords } from "./records";

/** FTS5's bm25() defaults, which the D1 search uses too. */
const BM25_K1 = 1.2;
const BM25_B = 0.75;

/**
 * Twin of D1ErrorStore. Lexical search is plain BM25 over each error's search terms with the project's own
 * statistics, as the D1 search computes it, but without its pruning of very common terms (a cost measure for
 * large projects that changes nothing at contract sizes).
 */
export class InMemoryErrorStore implements ErrorStore {
  constructor(private readonly records: MemoryRecords) {}

  async upsertError(candidate: NewRecord<ErrorRecord>, linkIds: { occurredIn: string; resolvedIn: string }) {
    const { projectId, userId } = candidate;
    const sessionId = this.records.activeSessionId(projectId, userId);
    const existing = this.sameError(candidate);
    let error: ErrorRecord;
    if (existing) {
      existing.occurrences += 1;
      existing.lastSeen = candidate.lastSeen;
      if (candidate.solution !== null) takeSolution(existing, candidate);
      error = existing;
    } else {
      error = { ...copy(candidate), sessionId };
      insertNew(this.records.errors, error, "errors");
    }
    this.records.tagWithClasses(error);
    this.records.countDay(error.id, candidate.lastSeen);
    this.records.addSessionLink(
      linkIds.occurredIn,
      projectId,
      userId,
      ["error", error.id],
      "occurred_in",
      candidate.lastSeen,
    );
    if (candidate.solution !== null) {
      this.records.addSessionLink(
        linkIds.resolvedIn,
        projectId,
        userId,
        ["error", error.id],
        "resolved_in",
        candidate.lastSeen,
      );
    }
    return { error: copy(error), inserted: !existing, sessionId };
  }

  async resolveError(
    errorId: string,
    solution: string,
    resolvedAt: number,
    author: { userId: string; resolvedInLinkId: string },
  ) {
    // As D1: by id alone; the caller has already checked the error is in a project the author may write.
    const error = this.records.errors.get(errorId);
    if (!error) throw new AppError("internal", "The error write returned no row.");
    Object.assign(error, { solution, resolved: true, resolvedAt });
    const { projectId } = error;
    this.records.addSessionLink(
      author.resolvedInLinkId,
      projectId,
      author.userId,
      ["error", errorId],
      "resolved_in",
      resolvedAt,
    );
    return { error: copy(error), sessionId: this.records.activeSessionId(projectId, author.userId) };
  }

  async upsertErrors(
    candidates: Array<NewRecord<ErrorRecord>>,
    options: { delivery?: WebhookDelivery; occurredInLinkIds?: string[] } = {},
  ) {
    // One batch in D1: a replayed delivery or a taken id anywhere in it leaves nothing of it written.
    return this.records.atomically(() => {
      const { delivery } = options;
      if (delivery) {
        const key = `${delivery.projectId}\u0000${delivery.deliveryId}`;
        const sameBody = [...this.records.deliveries.values()].some(
          (row) =>
            row.projectId === delivery.projectId && row.bodySha256 !== null && row.bodySha256 === delivery.bodySha256,
        );
        if (this.records.deliveries.has(key) || sameBody) {
          throw new AppError("conflict", `delivery ${delivery.deliveryId} was already processed.`, {
            details: { duplicate_delivery: delivery.deliveryId },
          });
        }
        this.records.deliveries.set(key, { ...delivery });
      }
      const linkIds = options.occurredInLinkIds;
      return candidates.map((candidate, index) => {
        const { projectId, userId } = candidate;
        const existing = this.sameError(candidate);
        const link = (errorId: string) => {
          const linkId = linkIds?.[index];
          if (linkId) {
            this.records.addSessionLink(
              linkId,
              projectId,
              userId,
              ["error", errorId],
              "occurred_in",
              candidate.lastSeen,
            );
          }
        };
        if (!existing) {
          const sessionId = linkIds ? this.records.activeSessionId(projectId, userId) : null;
          const error = { ...copy(candidate), sessionId };
          insertNew(this.records.errors, error, "errors");
          this.records.tagWithClasses(error);
          this.records.countDay(error.id, candidate.lastSeen);
          link(error.id);
          return { error: copy(error), inserted: true };
        }
        link(existing.id);
        this.records.countDay(existing.id, candidate.lastSeen);
        existing.occurrences += 1;
        existing.lastSeen = Math.max(existing.lastSeen, candidate.lastSeen);
        if (candidate.solution !== null) takeSolution(existing, candidate);
        if (candidate.source === "ci")
          Object.assign(existing, { lastCommit: candidate.lastCommit, lastCiJob: candidate.lastCiJob });
        this.records.tagWithClasses(existing);
        return { error: copy(existing), inserted: false };
      });
    });
  }

  async getError(projectId: string, errorId: string): Promise<ErrorRecord | null> {
    const error = this.own(projectId, errorId);
    return error ? copy(error) : null;
  }

  async updateErrorDetails(
    projectId: string,
    errorId: string,
    details: Pick<ErrorRecord, "filePath" | "lineNumber" | "stackTrace" | "stackTraceTruncated" | "searchTerms">,
  ): Promise<ErrorRecord> {
    const error = this.own(projectId, errorId);
    if (!error) throw new AppError("internal", "The error write returned no row.");
    Object.assign(error, copy(details));
    return copy(error);
  }

  async occurrenceDays(projectId: string, errorId: string, sinceDay: number) {
    if (!this.own(projectId, errorId)) return [];
    return [...this.records.occurrenceDays]
      .map(([key, count]) => ({ id: key.split("\u0000")[0], day: Number(key.split("\u0000")[1]), count }))
      .filter((row) => row.id === errorId && row.day >= sinceDay)
      .sort((a, b) => a.day - b.day)
      .map(({ day, count }) => ({ day, count }));
  }

  async curateError(
    projectId: string,
    errorId: string,
    outcome: Pick<ErrorRecord, "solution" | "resolved" | "resolvedAt">,
  ): Promise<ErrorRecord | null> {
    const error = this.own(projectId, errorId);
    if (!error) return null;
    Object.assign(error, copy(outcome));
    return copy(error);
  }

  async getErrorsByIds(projectId: string, ids: string[]): Promise<ErrorRecord[]> {
    return [...new Set(ids)].flatMap((id) => {
      const error = this.own(projectId, id);
      return error ? [copy(error)] : [];
    });
  }

  async listErrors(projectId: string, page: PageRequest & { resolved?: boolean }): Promise<Page<ErrorRecord>> {
    const rows = this.ofProject(projectId).filter(
      (row) => page.resolved === undefined || row.resolved === page.resolved,
    );
    return keysetPage(rows, (row) => row.createdAt, page);
  }

  async countErrorsNotVectorIndexed(projectId: string, model: string): Promise<number> {
    return this.ofProject(projectId).filter((row) => row.vectorModel !== model).length;
  }

  async errorVectorCounts(projectId: string, model: string) {
    const rows = this.ofProject(projectId);
    return {
      total: rows.length,
      indexed: rows.filter((row) => row.vectorModel === model).length,
      failed: rows.filter((row) => row.vectorModel === VECTOR_FAILED).length,
    };
  }

  async listErrorIdsNotVectorIndexed(projectId: string, model: string, afterId: string | null, limit: number) {
    return this.ofProject(projectId)
      .filter((row) => row.vectorModel !== model && (afterId === null || row.id > afterId))
      .map((row) => row.id)
      .sort(compareIds)
      .slice(0, limit);
  }

  async markErrorsVectorIndexed(projectId: string, ids: string[], model: string, at: number): Promise<void> {
    for (const id of ids) {
      const error = this.own(projectId, id);
      if (error) Object.assign(error, { vectorModel: model, vectorIndexedAt: at });
    }
  }

  async markErrorsVectorFailed(projectId: string, ids: string[], requestedAt: number, at: number): Promise<number> {
    let marked = 0;
    for (const id of new Set(ids)) {
      const error = this.own(projectId, id);
      if (!error || (error.vectorIndexedAt !== null && error.vectorIndexedAt > requestedAt)) continue;
      Object.assign(error, { vectorModel: VECTOR_FAILED, vectorIndexedAt: at });
      marked += 1;
    }
    return marked;
  }

  async resetErrorVectorState(projectId: string, which: "all" | "failed", at: number): Promise<void> {
    for (const error of this.ofProject(projectId)) {
      if (which === "all" || error.vectorModel === VECTOR_FAILED)
        Object.assign(error, { vectorModel: null, vectorIndexedAt: at });
    }
  }

  async claimOverdueUnindexedErrors(olderThan: number, at: number, limit: number) {
    const due = (row: ErrorRecord) => row.vectorIndexedAt ?? row.createdAt;
    const claimed = [...this.records.errors.values()]
      .filter((row) => row.vectorModel === null && due(row) < olderThan)
      .sort((a, b) => due(a) - due(b))
      .slice(0, limit);
    for (const row of claimed) row.vectorIndexedAt = at;
    return claimed.map((row) => ({ projectId: row.projectId, id: row.id }));
  }

  async searchErrorsLexical(
    projectId: string,
    terms: WeightedTerm[],
    options: { limit: number; filters: ErrorSearchFilters },
  ): Promise<LexicalCandidates> {
    const stats = await this.termStatistics(
      projectId,
      terms.map((entry) => entry.term),
    );
    const chosen = matchTerms(terms, stats);
    if (!chosen.length) return { candidates: [], stats };
    const documents = this.ofProject(projectId).map((error) => ({ error, words: words(error.searchTerms, true) }));
    const averageLength = stats.averageTerms || 1;
    const idf = new Map<string, number>();
    for (const term of chosen) {
      const docs = stats.docs.get(term) ?? 0;
      idf.set(term, Math.max(1e-6, Math.log((stats.documents - docs + 0.5) / (docs + 0.5))));
    }
    const hits: Array<{ error: ErrorRecord; score: number }> = [];
    for (const doc of documents) {
      let sum = 0;
      let matched = false;
      for (const [term, weight] of idf) {
        if (!doc.words.has(term)) continue;
        sum += weight;
        matched = true;
      }
      if (!matched || !matchesErrorFilters(doc.error, options.filters)) continue;
      const norm = 1 + BM25_K1 * (1 - BM25_B + (BM25_B * doc.words.size) / averageLength);
      hits.push({ error: doc.error, score: (sum * (BM25_K1 + 1)) / norm });
    }
    const candidates = hits
      .sort((a, b) => b.score - a.score || compareIds(a.error.id, b.error.id))
      .slice(0, options.limit)
      .map((hit) => ({ error: copy(hit.error), bm25: -hit.score }));
    return { candidates, stats };
  }

  async termStatistics(projectId: string, terms: string[]): Promise<TermStatistics> {
    const documents = this.ofProject(projectId).map((error) => words(error.searchTerms, true));
    const docs = new Map<string, number>();
    for (const term of new Set(terms)) {
      const count = documents.filter((doc) => doc.has(term)).length;
      if (count > 0) docs.set(term, count);
    }
    const total = documents.reduce((sum, doc) => sum + doc.size, 0);
    return { documents: documents.length, averageTerms: documents.length ? total / documents.length : 0, docs };
  }

  private sameError(candidate: NewRecord<ErrorRecord>): ErrorRecord | undefined {
    return this.ofProject(candidate.projectId).find((row) => row.fingerprint === candidate.fingerprint);
  }

  private own(projectId: string, errorId: string): ErrorRecord | undefined {
    const error = this.records.errors.get(errorId);
    return error && error.projectId === projectId ? error : undefined;
  }

  private ofProject(projectId: string): ErrorRecord[] {
    return [...this.records.errors.values()].filter((row) => row.projectId === projectId);
  }
}

function takeSolution(error: ErrorRecord, candidate: NewRecord<ErrorRecord>): void {
  Object.assign(error, { solution: candidate.solution, resolved: true, resolvedAt: candidate.resolvedAt });
}
