import { AppError } from "../domain/app-error";
import type { IndexJob, IndexQueue } from "../domain/ports";

/** The part of a Cloudflare Queue producer binding this adapter uses. */
export interface QueueProducer<Body> {
  sendBatch(messages: Iterable<MessageSendRequest<Body>>): Promise<unknown>;
}

/**
 * Queues limits (developers.cloudflare.com/queues/platform/limits): `sendBatch` takes at most 100 messages and
 * 256 KB in total. A full job (100 UUIDs) is about 4 KB of JSON, so 100 of them would not fit; batches are cut
 * by an estimate of their size with room to spare.
 */
const MAX_MESSAGES_PER_SEND = 100;
const MAX_BYTES_PER_SEND = 200_000;

/** `IndexQueue` on a Cloudflare Queue (binding `ERROR_INDEX_QUEUE`). */
export class QueueIndexQueue implements IndexQueue {
  private readonly encoder = new TextEncoder();

  constructor(private readonly queue: QueueProducer<IndexJob> | undefined) {}

  async enqueue(jobs: IndexJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const queue = this.queue;
    if (!queue) {
      throw new AppError(
        "internal",
        "ERROR_INDEX_QUEUE is not bound: add the [[queues.producers]] section of wrangler.toml to this deployment.",
        { details: { variable: "ERROR_INDEX_QUEUE" } },
      );
    }
    let batch: IndexJob[] = [];
    let bytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      // JSON rather than the default structured clone, so messages can be read in the dashboard and the DLQ.
      await queue.sendBatch(batch.map((body) => ({ body, contentType: "json" as const })));
      batch = [];
      bytes = 0;
    };
    for (const job of jobs) {
      const size = this.encoder.encode(JSON.stringify(job)).byteLength;
      if (batch.length === MAX_MESSAGES_PER_SEND || bytes + size > MAX_BYTES_PER_SEND) await flush();
      batch.push(job);
      bytes += size;
    }
    await flush();
  }
}
