import type { CiJobLog } from "./ci-failures";

/** A project's CI webhook: its signing secret and the repository a GitHub delivery is matched by. */
export interface WebhookConfig {
  projectId: string;
  projectSlug: string;
  secret: string;
  repository: string | null;
  createdBy: string;
}

/** Per-project CI webhook secrets (D1: src/adapters/d1/webhook-store.ts). */
export interface WebhookStore {
  /** The webhooks a delivery addressed to `team/project` or a plain `project` may be for; the signature decides. */
  forProjectRef(value: string): Promise<WebhookConfig[]>;
  forProject(projectId: string): Promise<WebhookConfig | null>;
  forRepository(repository: string): Promise<WebhookConfig | null>;
  /** Creates or rotates; throws `conflict` when another project already holds the repository. */
  configure(projectId: string, secret: string, repository: string | null, userId: string, now: number): Promise<void>;
  remove(projectId: string): Promise<boolean>;
  /** The project's latest deliveries, newest first: where each came from and how many errors it recorded. */
  recentDeliveries(projectId: string, limit: number): Promise<DeliveryRecord[]>;
}

export interface DeliveryRecord {
  deliveryId: string;
  source: string;
  event: string;
  receivedAt: number;
  errorsRecorded: number;
}

/** Failed jobs' logs of a CI run, fetched from the CI provider (GitHub Actions: src/adapters/github-actions.ts). */
export interface CiLogSource {
  failedJobs(repository: string, runId: number): Promise<CiJobLog[]>;
  jobLog(repository: string, jobId: number): Promise<string>;
}
