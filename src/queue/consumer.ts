import { z } from "zod";
import { plural } from "../domain/core/plural";
import type { Services } from "../composition/services";
import { MAX_IDS_PER_INDEX_JOB } from "../domain/errors/indexing";
import type { IndexJob } from "../domain/errors/ports";

/** Queue names as in wrangler.toml; the consumer tells the two apart by `batch.queue`. */
export const ERROR_INDEX_QUEUE = "coding-memory-error-index";
export const ERROR_INDEX_DLQ = "coding-memory-error-index-dlq";
export const SUMMARY_QUEUE = "coding-memory-summaries";
export const SUMMARY_DLQ = "coding-memory-summaries-dlq";

/** Retry backoff: 10 s, 20 s, 40 s, … capped at 10 minutes, so a provider outage of minutes is ridden out. */
export const RETRY_BASE_SECONDS = 10;
export const RETRY_MAX_SECONDS = 600;

export function retryDelaySeconds(attempts: number): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 16));
  return Math.min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** exponent);
}

const indexJobSchema = z.object({
  kind: z.literal("index_errors"),
  projectId: z.string().min(1),
  errorIds: z.array(z.string().min(1)).min(1).max(MAX_IDS_PER_INDEX_JOB),
  requestedAt: z.number().finite(),
});

/** The queue() entry point: dispatches on the queue a batch came from. */
export async function handleQueueBatch(batch: MessageBatch<unknown>, services: Services): Promise<void> {
  if (batch.queue === ERROR_INDEX_QUEUE) return indexBatch(batch, services);
  if (batch.queue === ERROR_INDEX_DLQ) return recordDeadLetters(batch, services);
  if (batch.queue === SUMMARY_QUEUE) return summarizeBatch(batch, services);
  if (batch.queue === SUMMARY_DLQ) return dropDeadSummaries(batch, services);
  // A queue bound to this consumer by mistake: fail loudly, and let the platform keep the messages.
  throw new Error(`No consumer for queue "${batch.queue}".`);
}

/** Ids indexed in one go when a batch holds several jobs of one project: one read, embed call chain and upsert. */
export const MAX_IDS_PER_MERGED_JOB = 1_000;

/**
 * Jobs of one project are merged (up to `MAX_IDS_PER_MERGED_JOB` ids), because recording errors one by one
 * queues one small job each: merged, a batch costs one D1 read, one upsert and one stamp instead of one of each
 * per error. A merged group succeeds or retries as a whole; jobs are idempotent, so a retried job that had
 * partly succeeded only rewrites the same vectors. After `max_retries` the platform dead-letters a job.
 */
async function indexBatch(batch: MessageBatch<unknown>, services: Services): Promise<void> {
  const groups: Array<{ projectId: string; ids: Set<string>; messages: Array<Message<unknown>> }> = [];
  for (const message of batch.messages) {
    const job = parseJob(message);
    if (!job) continue;
    let group = groups.find(
      (candidate) =>
        candidate.projectId === job.projectId && candidate.ids.size + job.errorIds.length <= MAX_IDS_PER_MERGED_JOB,
    );
    if (!group) {
      group = { projectId: job.projectId, ids: new Set(), messages: [] };
      groups.push(group);
    }
    for (const id of job.errorIds) group.ids.add(id);
    group.messages.push(message);
  }
  for (const group of groups) {
    try {
      await services.errors.indexer.indexErrors(group.projectId, [...group.ids]);
      for (const message of group.messages) message.ack();
    } catch (error) {
      console.error(
        `indexing ${plural(group.ids.size, "error")} of project ${group.projectId} failed; retrying ${plural(group.messages.length, "job")}`,
        error,
      );
      for (const message of group.messages) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}

/** Jobs that exhausted their retries: record the failure durably, where index-status can report it. */
async function recordDeadLetters(batch: MessageBatch<unknown>, services: Services): Promise<void> {
  for (const message of batch.messages) {
    const job = parseJob(message);
    if (!job) continue;
    try {
      const { marked } = await services.errors.indexer.recordDeadLetter(job);
      console.warn(
        `indexing job for ${plural(job.errorIds.length, "error")} of project ${job.projectId} was dead-lettered; ` +
          `${marked} marked failed`,
      );
      message.ack();
    } catch (error) {
      console.error(`recording a dead-lettered indexing job of project ${job.projectId} failed`, error);
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}

/** A message that is not a job can never succeed: it is logged and acknowledged rather than retried. */
function parseJob(message: Message<unknown>): IndexJob | null {
  const parsed = indexJobSchema.safeParse(message.body);
  if (parsed.success) return parsed.data;
  console.error(`dropping malformed indexing message ${message.id}`, parsed.error.issues);
  message.ack();
  return null;
}

const summaryJobSchema = z.object({
  kind: z.literal("session_summary"),
  projectId: z.string().min(1),
  sessionId: z.string().min(1),
  userId: z.string().min(1),
  approved: z.boolean(),
  requestedAt: z.number().finite(),
});

/**
 * One summary per message. A job is idempotent (only a digest is ever replaced), so a retry after a partial
 * success writes nothing twice; provider failures retry with backoff, then dead-letter. A job that can never
 * succeed (no API key, a request the provider refuses) comes back as a reason, not an error: it is acknowledged,
 * and the session shows the reason.
 */
async function summarizeBatch(batch: MessageBatch<unknown>, services: Services): Promise<void> {
  for (const message of batch.messages) {
    const parsed = summaryJobSchema.safeParse(message.body);
    if (!parsed.success) {
      console.error(`dropping malformed summary message ${message.id}`, parsed.error.issues);
      message.ack();
      continue;
    }
    const job = parsed.data;
    try {
      const outcome = await services.llm.summaries.run(job);
      if (outcome !== "written" && outcome !== "exists") {
        console.warn(`session ${job.sessionId} keeps its digest: ${outcome}`);
      }
      message.ack();
    } catch (error) {
      const delaySeconds = retryDelaySeconds(message.attempts);
      console.error(
        `summary of session ${job.sessionId} failed (attempt ${message.attempts}); retry in ${delaySeconds} s`,
        error,
      );
      message.retry({ delaySeconds });
    }
  }
}

/** A summary that failed every retry: the session keeps its digest, which is already stored, and says why. */
async function dropDeadSummaries(batch: MessageBatch<unknown>, services: Services): Promise<void> {
  for (const message of batch.messages) {
    console.error(`summary job ${message.id} was dead-lettered; the session keeps its digest`, message.body);
    const parsed = summaryJobSchema.safeParse(message.body);
    if (parsed.success) {
      await services.llm.summaries.giveUp(parsed.data, message.attempts).catch((error: unknown) => {
        console.error(`marking the dead-lettered summary of session ${parsed.data.sessionId} failed`, error);
      });
    }
    message.ack();
  }
}
