import { z } from "zod";
import type { PendingApproval } from "../domain/llm/ports";
import { isoTime } from "./records";

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
