import { z } from "zod";
import type { PendingApproval } from "../domain/llm/ports";
import { isoTime } from "./records";
import { roundUsd } from "./render";

export const heldApprovalSchema = z.object({
  state: z.literal("approval_required"),
  approval_id: z.string(),
  operation: z.string(),
  model: z.string(),
  estimated_cost_usd: z.number(),
  input_tokens: z.number(),
  max_output_tokens: z.number(),
  expires_at: isoTime,
});

/** A held operation as tool results show it: everything needed to decide, and the id to decide with. */
export function heldApprovalView(approval: PendingApproval): z.output<typeof heldApprovalSchema> {
  return {
    state: "approval_required",
    approval_id: approval.id,
    operation: approval.operation,
    model: `${approval.estimate.provider}/${approval.estimate.model}`,
    estimated_cost_usd: approval.estimate.usd,
    input_tokens: approval.estimate.inputTokens,
    max_output_tokens: approval.estimate.outputTokens,
    expires_at: new Date(approval.expiresAt).toISOString(),
  };
}

/** What the user is asked to approve, in their own client. */
export function approvalMessage(what: string, approval: PendingApproval): string {
  const { estimate } = approval;
  return (
    `Run ${what} with ${estimate.provider}/${estimate.model}? Estimated cost up to $${estimate.usd.toFixed(4)} ` +
    `(${estimate.inputTokens} input tokens, at most ${estimate.outputTokens} output tokens).`
  );
}

/** The readable line for a held operation, for clients that were not asked by elicitation. */
export function heldApprovalNote(what: string, approval: PendingApproval): string {
  const { estimate, id } = approval;
  return (
    `⚠️ Approval required: ${what} with ${estimate.provider}/${estimate.model} would cost up to ` +
    `$${estimate.usd.toFixed(4)} (${estimate.inputTokens} input, ≤ ${estimate.outputTokens} output tokens). ` +
    `Call coding_approve or coding_deny with approval_id ${id}.`
  );
}

/** `ToolOutput.approval` for a held operation: lets the MCP edge ask by elicitation where it can. */
export function heldApproval(what: string, approval: PendingApproval): { approval: { id: string; message: string } } {
  return { approval: { id: approval.id, message: approvalMessage(what, approval) } };
}

/** The answer of coding_approve and coding_deny: which approval, what was decided, for which operation. */
export const decisionSchema = z.object({
  approval_id: z.string(),
  decision: z.enum(["approved", "denied"]),
  operation: z.string(),
});

/**
 * A tool whose call can be held for approval: a client that supports elicitation is asked at once, and the
 * call's result then carries the user's decision (the coding_approve / coding_deny result).
 */
export const elicitedDecision = {
  approval_decision: z
    .looseObject({ approval_id: z.string(), decision: z.enum(["approved", "denied"]), operation: z.string() })
    .optional(),
};

// "failed": a summary that can never succeed (a configuration error or a provider's permanent refusal).
const skippedSchema = z.object({ state: z.enum(["skipped", "pending", "failed"]), reason: z.string() });

/**
 * What an on-demand LLM feature answered: ready (with the model's answer, whose fields are the feature's own),
 * held for approval, or skipped with the reason (no model, over budget, the provider failed).
 */
export function llmResultSchema<Ready extends z.ZodRawShape>(ready: Ready) {
  return z.union([
    z.looseObject({
      state: z.literal("ready"),
      model: z.string().optional(),
      cost_usd: z.number().optional(),
      budget_warning: z.string().optional(),
      ...ready,
    }),
    heldApprovalSchema,
    skippedSchema,
  ]);
}

/** The three answers every on-demand LLM feature gives (solution advice, preferences, context compression). */
export type LlmResult<Ready extends { state: "ready"; model: string; usd: number }> =
  Ready | { state: "approval_required"; approval: PendingApproval } | { state: "skipped"; reason: string };

/**
 * An LLM result as tools show it (the data side of `llmResultSchema`): a ready answer has the model, its cost,
 * the feature's own fields and the budget warning when spend nears the budget.
 */
export function llmResultView<Ready extends { state: "ready"; model: string; usd: number }>(
  result: LlmResult<Ready>,
  answer: (ready: Ready) => { fields: object; budgetWarning: string | null },
) {
  switch (result.state) {
    case "ready": {
      const { fields, budgetWarning } = answer(result);
      return {
        state: "ready" as const,
        model: result.model,
        cost_usd: roundUsd(result.usd),
        ...fields,
        ...(budgetWarning ? { budget_warning: budgetWarning } : {}),
      };
    }
    case "approval_required":
      return heldApprovalView(result.approval);
    case "skipped":
      return { state: result.state, reason: result.reason };
  }
}
