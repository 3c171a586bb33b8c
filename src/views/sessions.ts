import type { SummaryStatus } from "../domain/llm/session-summaries";
import { heldApprovalNote, heldApprovalView, llmResultSchema } from "./llm";

/** How the AI summary of an ended session went: ready, pending in the queue, held for approval, or not written. */
export function summaryStatusView(status: SummaryStatus) {
  switch (status.state) {
    case "ready":
      return { state: "ready" as const };
    case "pending":
    case "skipped":
    case "failed":
      return { state: status.state, reason: status.reason };
    case "approval_required":
      return heldApprovalView(status.approval);
  }
}

export function summaryStatusNote(status: SummaryStatus): string {
  if (status.state === "pending") return "\n\n(AI summary pending: fetch it later with coding_get_session.)";
  if (status.state === "failed") return `\n\n(AI summary failed: ${status.reason} The digest above is the summary.)`;
  if (status.state === "approval_required")
    return `\n\n${heldApprovalNote("an AI summary of this session", status.approval)}`;
  return "";
}

export const summaryStatusSchema = llmResultSchema({});
