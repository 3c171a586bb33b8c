import type { ErrorSearchFilters } from "./filters";
import type { NewRecord, PageRequest } from "../core/ports";
import type { ErrorRecord, Page } from "../core/records";

/** Error records, their vector-indexing state and their lexical search (D1 in production and tests). */
export interface ErrorStore {
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
   * counted as another occurrence (also of an earlier candidate of the same batch). Session links only when
   * `occurredInLinkIds` asks for them.
   */
  upsertErrors(
    candidates: Array<NewRecord<ErrorRecord>>,
    options?: {
      delivery?: WebhookDelivery;
      /**
       * Link each error to its author's active session (one link id per candidate), as recording one does: for
       * failures captured from the author's own editor, not for CI's.
       */
      occurredInLinkIds?: string[];
    },
  ): Promise<Array<{ error: ErrorRecord; inserted: boolean }>>;
  getError(projectId: string, errorId: string): Promise<ErrorRecord | null>;
  /** Rewrites an error's details (not its identity: type, message and fingerprint stay). */
  updateErrorDetails(
    projectId: string,
    errorId: string,
    details: Pick<ErrorRecord, "filePath" | "lineNumber" | "stackTrace" | "stackTraceTruncated" | "searchTerms">,
  ): Promise<ErrorRecord>;
  /**
   * A person's correction of an error's outcome (the dashboard's curation): the solution as given (null clears
   * it) and whether it is resolved; null when the project holds no such error.
   */
  curateError(
    projectId: string,
    errorId: string,
    outcome: Pick<ErrorRecord, "solution" | "resolved" | "resolvedAt">,
  ): Promise<ErrorRecord | null>;
  /** Sightings of one error per UTC day (epoch day numbers) from `sinceDay` on, oldest first. */
  occurrenceDays(projectId: string, errorId: string, sinceDay: number): Promise<Array<{ day: number; count: number }>>;
  /** The project's errors among `ids`, in no particular order; unknown ids and other projects' errors are left out. */
  getErrorsByIds(projectId: string, ids: string[]): Promise<ErrorRecord[]>;
  listErrors(projectId: string, page: PageRequest & { resolved?: boolean }): Promise<Page<ErrorRecord>>;

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
   * Lexical candidates for a search that pass the filters, best first, with the project's statistics for every
   * given term (what the second stage scores them with), read in one round trip. The match is made of the
   * terms `matchTerms` (ranking.ts) picks: the most informative (weight · IDF), leaving out terms so common
   * that matching them touches most of the project. Filters mean exactly what `matchesErrorFilters` means.
   */
  searchErrorsLexical(
    projectId: string,
    terms: WeightedTerm[],
    options: { limit: number; filters: ErrorSearchFilters },
  ): Promise<LexicalCandidates>;
  /**
   * The project's own term statistics for `terms`: how many errors it has, their average number of search
   * terms, and how many of them contain each term (terms in none are left out). Nothing of another project's.
   */
  termStatistics(projectId: string, terms: string[]): Promise<TermStatistics>;
}

/** A query term and its weight in the query (field weight × saturated frequency, see ranking.ts). */
export interface WeightedTerm {
  term: string;
  weight: number;
}

export interface LexicalCandidates {
  /** Each candidate with its first-stage BM25 rank (lower is better, as SQLite reports it), best first. */
  candidates: Array<{ error: ErrorRecord; bm25: number }>;
  /** The project's statistics for every given term (see `termStatistics`). */
  stats: TermStatistics;
}

/** A project's term statistics (BM25's N, average length and document frequencies). */
export interface TermStatistics {
  documents: number;
  averageTerms: number;
  /** Errors of the project containing each term; a term missing here is in none. */
  docs: Map<string, number>;
}

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
