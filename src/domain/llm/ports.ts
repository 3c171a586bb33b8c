import type { SessionKey } from "../sessions/ports";
import type { HeldOperation } from "./types";

/** Work for the summary consumer: summarise one ended session with the project's model. */
export interface SummaryJob {
  kind: "session_summary";
  projectId: string;
  sessionId: string;
  userId: string;
  /** The user approved this operation's estimate (or it needed no approval when queued). */
  approved: boolean;
  requestedAt: number;
}

export interface SummaryQueue {
  enqueue(job: SummaryJob): Promise<void>;
}

/** An LLM operation waiting for the user's yes or no, held per user+project with an expiry. */
export interface PendingApproval {
  id: string;
  operation: HeldOperation;
  projectId: string;
  userId: string;
  /**
   * What the operation is about: the session id of a summary, the error id of a suggestion ("" for text), the
   * attachment id of a screenshot or diagram.
   */
  subjectId: string;
  /** Input the operation needs besides the subject (the error text of a suggestion for an unrecorded error). */
  input: string | null;
  estimate: { provider: string; model: string; inputTokens: number; outputTokens: number; usd: number };
  createdAt: number;
  expiresAt: number;
}

export interface ApprovalStore {
  put(key: SessionKey, approval: PendingApproval): Promise<void>;
  /** Removes and returns the approval; `expired` when it passed its expiry (and is removed too). */
  take(key: SessionKey, id: string, now: number): Promise<PendingApproval | "expired" | null>;
  /** The approvals still waiting (not expired at `now`), oldest first. */
  pending(key: SessionKey, now: number): Promise<PendingApproval[]>;
}

/** A project's stored LLM overrides (D1: src/adapters/d1/settings-store.ts). */
export interface SettingsStore {
  get(projectId: string): Promise<ProjectLlmSettings>;
  /** Applies the given fields (null clears an override; absent leaves it) and returns the stored overrides. */
  update(
    projectId: string,
    changes: Partial<ProjectLlmSettings>,
    author: { userId: string; at: number },
  ): Promise<ProjectLlmSettings>;
}

/** A project's stored overrides; null means "the server default". */
export interface ProjectLlmSettings {
  model: string | null;
  visionModel: string | null;
  autoApprove: boolean | null;
  costThresholdUsd: number | null;
  maxMonthlyBudgetUsd: number | null;
  warnAtPercentage: number | null;
  autoSummarizeOnEnd: boolean | null;
}
