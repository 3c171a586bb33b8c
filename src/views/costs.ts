import { z } from "zod";
import { nanoToUsd } from "../domain/llm/models";
import type { CostTotals, LlmCallRecord } from "../domain/llm/types";
import { isoTime } from "./records";
import { roundUsd } from "./render";

/** What every row of the cost report sums up (the whole report, a model, an operation, a month). */
export const costTotalsShape = {
  cost_usd: z.number(),
  input_tokens: z.number(),
  cached_input_tokens: z.number(),
  output_tokens: z.number(),
  calls: z.number(),
};

/** One recorded LLM call, as listed in coding_get_costs. */
export const callViewSchema = z.object({
  id: z.string(),
  at: isoTime,
  user_id: z.string(),
  session_id: z.string().nullable(),
  operation: z.string(),
  provider: z.string(),
  model: z.string(),
  input_tokens: z.number(),
  cached_input_tokens: z.number(),
  output_tokens: z.number(),
  cost_usd: z.number(),
  estimated_cost_usd: z.number(),
  latency_ms: z.number().nullable(),
  outcome: z.string(),
  error: z.string().nullable(),
});

export function totalsView(totals: CostTotals) {
  return {
    cost_usd: roundUsd(nanoToUsd(totals.nanoUsd)),
    input_tokens: totals.inputTokens,
    cached_input_tokens: totals.cachedInputTokens,
    output_tokens: totals.outputTokens,
    calls: totals.calls,
  };
}

export function callView(call: LlmCallRecord) {
  return {
    id: call.id,
    at: new Date(call.createdAt).toISOString(),
    user_id: call.userId,
    session_id: call.sessionId,
    operation: call.operation,
    provider: call.provider,
    model: call.model,
    input_tokens: call.inputTokens,
    cached_input_tokens: call.cachedInputTokens,
    output_tokens: call.outputTokens,
    cost_usd: roundUsd(nanoToUsd(call.nanoUsd)),
    estimated_cost_usd: roundUsd(nanoToUsd(call.estimatedNanoUsd)),
    latency_ms: call.latencyMs,
    outcome: call.outcome,
    error: call.error,
  };
}
