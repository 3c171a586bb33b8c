import { AppError } from "../core/app-error";
import type { ApprovalStore, PendingApproval } from "./ports";
import type { Runtime } from "../core/ports";
import type { CostEstimate } from "./gateway";

/** How long a held approval stays valid. */
export const APPROVAL_TTL_MS = 60 * 60_000;

/**
 * LLM operations held for the user's decision. Held per user+project (the ProjectSession Durable Object), so
 * only the user who asked can approve or deny, and taking an approval removes it: one decision each.
 */
export class ApprovalDesk {
  constructor(
    private readonly store: ApprovalStore,
    private readonly runtime: Pick<Runtime, "now" | "newId">,
  ) {}

  async hold(
    request: Pick<PendingApproval, "operation" | "projectId" | "userId" | "subjectId" | "input">,
    estimate: CostEstimate,
  ): Promise<PendingApproval> {
    const now = this.runtime.now();
    const approval: PendingApproval = {
      ...request,
      id: this.runtime.newId(),
      estimate: {
        provider: estimate.provider,
        model: estimate.model,
        inputTokens: estimate.inputTokens,
        outputTokens: estimate.outputTokens,
        usd: estimate.usd,
      },
      createdAt: now,
      expiresAt: now + APPROVAL_TTL_MS,
    };
    await this.store.put({ userId: request.userId, projectId: request.projectId }, approval);
    return approval;
  }

  /** What waits for this user's decision in this project (only theirs: approvals are held per user+project). */
  async pending(userId: string, projectId: string): Promise<PendingApproval[]> {
    return this.store.pending({ userId, projectId }, this.runtime.now());
  }

  async take(userId: string, projectId: string, approvalId: string): Promise<PendingApproval> {
    const approval = await this.store.take({ userId, projectId }, approvalId, this.runtime.now());
    if (approval === "expired") {
      throw new AppError("conflict", `approval_id: approval ${approvalId} expired; the operation was not run.`, {
        details: { field: "approval_id" },
      });
    }
    if (!approval) {
      throw new AppError("not_found", `approval_id: no pending approval ${approvalId} for you in this project.`, {
        details: { field: "approval_id" },
      });
    }
    return approval;
  }
}
