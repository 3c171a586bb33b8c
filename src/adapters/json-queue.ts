import { AppError } from "../domain/core/app-error";
import type { IndexJob, IndexQueue } from "../domain/errors/ports";
import type { SummaryJob, SummaryQueue } from "../domain/llm/ports";

/** The part of a Cloudflare Queue producer binding these adapters use. */
export interface QueueProducer<Body> {
  sendBatch(messages: Iterable<MessageSendRequest<Body>>): Promise<unknown>;
}

/**
 * Queues limits (developers.cloudflare.com/queues/platform/limits): `sendBatch` takes at most 100 messages and
 * 256 KB in total. A full index job (100 UUIDs) is about 4 KB of JSON, so 100 of them would not fit; batches
 * are cut by an estimate of their size with room to spare.
 */
const MAX_MESSAGES_PER_SEND = 100;
const MAX_BYTES_PER_SEND = 200_000;

/** Sends message bodies as JSON (readable in the dashboard and the DLQ), in as few sends as the limits allow. */
export class JsonQueue<Body> {
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly queue: QueueProducer<Body> | undefined,
    /** The binding's name in wrangler.toml, for the error when it is missing. */
    private readonly binding: string,
  ) {}

  async send(bodies: Body[]): Promise<void> {
    if (bodies.length === 0) return;
    const queue = this.queue;
    if (!queue) {
      throw new AppError(
        "internal",
        `${this.binding} is not bound: add its [[queues.producers]] section of wrangler.toml to this deployment.`,
        { details: { variable: this.binding } },
      );
    }
    let batch: Body[] = [];
    let bytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await queue.sendBatch(batch.map((body) => ({ body, contentType: "json" as const })));
      batch = [];
      bytes = 0;
    };
    for (const body of bodies) {
      const size = this.encoder.encode(JSON.stringify(body)).byteLength;
      if (batch.length === MAX_MESSAGES_PER_SEND || bytes + size > MAX_BYTES_PER_SEND) await flush();
      batch.push(body);
      bytes += size;
    }
    await flush();
  }
}

/** `IndexQueue` on the `ERROR_INDEX_QUEUE` binding. */
export class QueueIndexQueue implements IndexQueue {
  private readonly queue: JsonQueue<IndexJob>;

  constructor(binding: QueueProducer<IndexJob> | undefined) {
    this.queue = new JsonQueue(binding, "ERROR_INDEX_QUEUE");
  }

  enqueue(jobs: IndexJob[]): Promise<void> {
    return this.queue.send(jobs);
  }
}

/** `SummaryQueue` on the `SUMMARY_QUEUE` binding. */
export class QueueSummaryQueue implements SummaryQueue {
  private readonly queue: JsonQueue<SummaryJob>;

  constructor(binding: QueueProducer<SummaryJob> | undefined) {
    this.queue = new JsonQueue(binding, "SUMMARY_QUEUE");
  }

  enqueue(job: SummaryJob): Promise<void> {
    return this.queue.send([job]);
  }
}
