/**
 * Building error vectors, off the request path.
 *
 * Recording an error only writes D1 and queues an `IndexJob`; a queue consumer later embeds the errors and
 * upserts their vectors, then stamps each row with the embedder's id (`vector_model`). Until then the error is
 * pending and search scores it lexically. A vector counts only when `vector_model` equals the configured
 * embedder's id, so changing the model makes every error pending again until a re-index rebuilds them.
 */
import { AppError } from "../core/app-error";
import { errorEmbeddingText } from "./text";
import type { ErrorStore, IndexJob, IndexQueue } from "./ports";
import type { Runtime } from "../core/ports";
import type { ErrorRecord } from "../core/records";
import type { Embedder, VectorIndex, VectorItem } from "../vectors/ports";

/** Ids per job: one Workers AI call embeds at most 100 texts, and a message stays a few KiB. */
export const MAX_IDS_PER_INDEX_JOB = 100;
/** Texts per `embed` call when the embedder states no limit of its own. */
export const DEFAULT_EMBED_BATCH = 100;
/**
 * Ids read per page while re-indexing. Large pages keep a big project's re-index within a Worker's budget of
 * D1 queries and queue sends per request (one of each per page).
 */
export const REINDEX_PAGE = 2_000;
/** An error still without a vector this long after it was queued is taken to have lost its job. */
export const OVERDUE_AFTER_MS = 10 * 60_000;
/** Errors re-queued per sweep; a backlog larger than this drains over the following sweeps. */
export const SWEEP_LIMIT = 5_000;

export type IndexingStore = Pick<
  ErrorStore,
  | "getErrorsByIds"
  | "errorVectorCounts"
  | "listErrorIdsNotVectorIndexed"
  | "markErrorsVectorIndexed"
  | "markErrorsVectorFailed"
  | "resetErrorVectorState"
  | "claimOverdueUnindexedErrors"
>;

export interface IndexStatus {
  model: string;
  dimensions: number;
  total: number;
  /** Vectors built with `model`: search uses them. */
  indexed: number;
  /** Waiting in the queue, or never queued (e.g. the enqueue failed, or the model changed): scored lexically. */
  pending: number;
  /** Dead-lettered after their retries; a re-index tries them again. */
  failed: number;
}

export interface ReindexResult {
  model: string;
  /** Errors queued for indexing. */
  queued: number;
  /** Queue messages they were split into. */
  jobs: number;
}

/** Splits ids into jobs of at most `MAX_IDS_PER_INDEX_JOB`. */
export function indexJobs(projectId: string, errorIds: string[], requestedAt: number): IndexJob[] {
  const jobs: IndexJob[] = [];
  for (let start = 0; start < errorIds.length; start += MAX_IDS_PER_INDEX_JOB) {
    jobs.push({
      kind: "index_errors",
      projectId,
      errorIds: errorIds.slice(start, start + MAX_IDS_PER_INDEX_JOB),
      requestedAt,
    });
  }
  return jobs;
}

/** The metadata stored with an error's vector, for equality filters in the index. */
export function errorVectorMetadata(error: Pick<ErrorRecord, "resolved" | "errorType">) {
  return { resolved: error.resolved, error_type: error.errorType };
}

export class ErrorIndexer {
  constructor(
    private readonly store: IndexingStore,
    private readonly embedder: Embedder,
    private readonly vectors: VectorIndex,
    private readonly queue: IndexQueue,
    private readonly runtime: Pick<Runtime, "now">,
  ) {}

  /**
   * Embeds the errors and upserts their vectors (namespace = project id, id = error id), then stamps the rows
   * with the model. Idempotent: running a job twice rewrites the same vectors and stamps. Ids that no longer
   * exist, or belong to another project, are skipped. Throws on any embedder or index failure, leaving the
   * rows pending, so the queue can retry the whole job.
   */
  async indexErrors(projectId: string, errorIds: string[]): Promise<{ indexed: number }> {
    const found = await this.store.getErrorsByIds(projectId, errorIds);
    if (found.length === 0) return { indexed: 0 };
    const model = this.embedder.id;
    const batchSize = Math.max(1, this.embedder.maxBatchSize ?? DEFAULT_EMBED_BATCH);
    const items: VectorItem[] = [];
    for (let start = 0; start < found.length; start += batchSize) {
      const batch = found.slice(start, start + batchSize);
      const vectors = await this.embedder.embed(batch.map((error) => errorEmbeddingText(error)));
      if (vectors.length !== batch.length) {
        throw new AppError(
          "internal",
          `Embedder ${model} returned ${vectors.length} vectors for ${batch.length} texts.`,
        );
      }
      batch.forEach((error, position) => {
        const values = vectors[position] as Float32Array;
        // An all-zero vector (a text with no usable terms) is similar to nothing, and a cosine index may refuse
        // it; the error still counts as indexed, there is simply nothing for a vector query to find.
        if (values.some((value) => value !== 0)) {
          items.push({ id: error.id, values, metadata: errorVectorMetadata(error) });
        }
      });
    }
    await this.vectors.upsert(projectId, items);
    await this.store.markErrorsVectorIndexed(
      projectId,
      found.map((error) => error.id),
      model,
      this.runtime.now(),
    );
    return { indexed: found.length };
  }

  /**
   * A job that exhausted its retries: its errors are marked failed, so index-status reports them, unless a
   * later job has indexed them since the dead one was requested.
   */
  async recordDeadLetter(job: IndexJob): Promise<{ marked: number }> {
    const marked = await this.store.markErrorsVectorFailed(
      job.projectId,
      job.errorIds,
      job.requestedAt,
      this.runtime.now(),
    );
    return { marked };
  }

  /**
   * Queues the project's errors for indexing. `onlyPending` queues those without a vector from the current
   * model (including failed ones); otherwise every error is made pending first and rebuilt, which is what a
   * lost or replaced vector index needs. Search scores the pending errors lexically meanwhile.
   */
  async reindexProject(projectId: string, options: { onlyPending: boolean }): Promise<ReindexResult> {
    // Resolved first: a misconfigured embedder fails here, before any row is touched.
    const model = this.embedder.id;
    const requestedAt = this.runtime.now();
    await this.store.resetErrorVectorState(projectId, options.onlyPending ? "failed" : "all", requestedAt);
    let queued = 0;
    let jobs = 0;
    let afterId: string | null = null;
    for (;;) {
      // Keyset on id: rows the consumer indexes meanwhile drop out of the set without shifting the pages.
      const ids = await this.store.listErrorIdsNotVectorIndexed(projectId, model, afterId, REINDEX_PAGE);
      if (ids.length === 0) break;
      const batch = indexJobs(projectId, ids, requestedAt);
      try {
        await this.queue.enqueue(batch);
      } catch (cause) {
        throw new AppError(
          "internal",
          `The indexing queue refused a batch after ${queued} errors were queued; nothing is lost (the rest stay ` +
            `pending). Run the re-index again with only_pending.`,
          { details: { queued }, cause },
        );
      }
      queued += ids.length;
      jobs += batch.length;
      afterId = ids[ids.length - 1] ?? null;
      if (ids.length < REINDEX_PAGE) break;
    }
    return { model, queued, jobs };
  }

  /**
   * The safety net for lost jobs: recording an error only logs a failed queue send (the record is already
   * stored), and a message can be lost, so a scheduled sweep re-queues errors that should have a vector by now.
   * Errors made pending by a model change keep the old model's id and are left to an explicit re-index.
   */
  async requeueOverdue(): Promise<{ requeued: number; jobs: number }> {
    const now = this.runtime.now();
    const overdue = await this.store.claimOverdueUnindexedErrors(now - OVERDUE_AFTER_MS, now, SWEEP_LIMIT);
    const byProject = new Map<string, string[]>();
    for (const { projectId, id } of overdue) byProject.set(projectId, [...(byProject.get(projectId) ?? []), id]);
    const jobs = [...byProject].flatMap(([projectId, ids]) => indexJobs(projectId, ids, now));
    await this.queue.enqueue(jobs);
    return { requeued: overdue.length, jobs: jobs.length };
  }

  async status(projectId: string): Promise<IndexStatus> {
    const model = this.embedder.id;
    const counts = await this.store.errorVectorCounts(projectId, model);
    return {
      model,
      dimensions: this.embedder.dimensions,
      total: counts.total,
      indexed: counts.indexed,
      pending: Math.max(0, counts.total - counts.indexed - counts.failed),
      failed: counts.failed,
    };
  }
}
