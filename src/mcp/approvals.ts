import {
  acceptedContent,
  inputRequired,
  CLIENT_CAPABILITIES_META_KEY,
  type CallToolResult,
  type InputRequiredResult,
  type ServerContext,
} from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Services } from "../composition/services";
import { budgetState } from "../domain/llm/gateway";
import { billingMonth } from "../domain/llm/models";

/** The month's budget warning of a project, once its LLM spend passes warn_at_percentage; else null. */
export async function budgetWarning(services: Services, projectId: string): Promise<string | null> {
  const settings = await services.llm.settings.effective(projectId);
  if (settings.maxMonthlyBudgetUsd === null) return null;
  const spent = await services.llm.ledger.monthSpend(projectId, billingMonth(services.runtime.now()));
  return budgetState(settings, spent).warning;
}

/** The form shown in the user's client: one yes/no. */
export const approvalForm = z.object({
  approve: z.boolean().describe("Run it now; its cost counts against the project's monthly budget."),
});

/** What rides along the elicitation round trip: which approval, and the first answer to show with the decision. */
export interface ApprovalRoundState {
  approvalId: string;
  text: string;
  data: Record<string, unknown> | null;
}

/**
 * Whether this request can be answered with an elicitation round trip: only on the 2026-07-28 protocol (the
 * stateless transport has no server→client requests for older clients) and when the client declared
 * elicitation in the request's envelope. Everyone else gets the approval_id to use with coding_approve.
 */
export function canElicit(ctx: ServerContext): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, { elicitation?: unknown } | undefined> | undefined;
  return Boolean(envelope?.[CLIENT_CAPABILITIES_META_KEY]?.elicitation);
}

export function askForApproval(
  approval: { id: string; message: string },
  first: { text: string; data: Record<string, unknown> },
): InputRequiredResult {
  const data = JSON.stringify(first.data).length <= 16_000 ? first.data : null;
  const state: ApprovalRoundState = { approvalId: approval.id, text: first.text.slice(0, 8_000), data };
  return inputRequired({
    inputRequests: { approve: inputRequired.elicit({ message: approval.message, requestedSchema: approvalForm }) },
    requestState: JSON.stringify(state),
  });
}

/** The retried call of an elicitation round: the state we sent and the user's answer (false unless accepted). */
export function approvalAnswer(ctx: ServerContext): { state: ApprovalRoundState; approve: boolean } | null {
  const raw = ctx.mcpReq.requestState<unknown>();
  if (typeof raw !== "string") return null;
  let state: ApprovalRoundState;
  try {
    state = JSON.parse(raw) as ApprovalRoundState;
  } catch {
    return null;
  }
  if (typeof state?.approvalId !== "string") return null;
  const answer = acceptedContent(ctx.mcpReq.inputResponses, "approve", approvalForm);
  return { state, approve: answer?.approve === true };
}

export type { CallToolResult };
