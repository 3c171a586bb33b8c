import { AppError } from "../domain/app-error";
import type { SummaryJob, SummaryQueue } from "../domain/ports";
import type { QueueProducer } from "./queue-index-queue";

/** `SummaryQueue` on a Cloudflare Queue (binding `SUMMARY_QUEUE`). */
export class QueueSummaryQueue implements SummaryQueue {
  constructor(private readonly queue: QueueProducer<SummaryJob> | undefined) {}

  async enqueue(job: SummaryJob): Promise<void> {
    if (!this.queue) {
      throw new AppError(
        "internal",
        "SUMMARY_QUEUE is not bound: add its [[queues.producers]] section of wrangler.toml to this deployment.",
        { details: { variable: "SUMMARY_QUEUE" } },
      );
    }
    await this.queue.sendBatch([{ body: job, contentType: "json" }]);
  }
}
