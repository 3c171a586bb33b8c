import { z } from "zod";
import { budgetState } from "../../domain/llm/gateway";
import { billingMonth, nanoToUsd } from "../../domain/llm/models";
import type { CostTotals, LlmCallRecord } from "../../domain/llm/types";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";

export const getCostsTool = defineTool({
  name: "coding_get_costs",
  title: "LLM costs",
  description: "The project's LLM costs by model, operation and month, the latest calls, and the budget.",
  inputSchema: z.object({
    ...scopedInput,
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month as YYYY-MM")
      .nullish()
      .describe("Only this month, YYYY-MM (UTC)."),
    limit: z.number().int().min(0).max(200).default(20).describe("Recent calls to list."),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "GET", path: "/costs" },
  async run({ services, project }, input) {
    const report = await services.ledger.report(project.id, { month: input.month ?? null, limit: input.limit });
    const policy = await services.llmSettings.effective(project.id);
    const month = billingMonth(services.runtime.now());
    const budget = budgetState(policy, await services.ledger.monthSpend(project.id, month));
    const data = {
      total_cost: round(nanoToUsd(report.totals.nanoUsd)),
      total_tokens: report.totals.inputTokens + report.totals.outputTokens,
      call_count: report.totals.calls,
      ...totalsView(report.totals),
      by_model: report.byModel.map((row) => ({ model: row.key, ...totalsView(row) })),
      by_operation: report.byOperation.map((row) => ({ operation: row.key, ...totalsView(row) })),
      by_month: report.byMonth.map((row) => ({ month: row.key, ...totalsView(row) })),
      calls: report.calls.map(callView),
      budget: {
        month,
        month_spent_usd: round(budget.monthSpentUsd),
        max_monthly_budget_usd: budget.budgetUsd,
        percent_used: budget.percentUsed === null ? null : Math.round(budget.percentUsed * 10) / 10,
        warning: budget.warning,
      },
      model: policy.model,
    };
    const lines = [
      `LLM costs${input.month ? ` in ${input.month}` : ""}: $${data.total_cost.toFixed(4)} over ${data.call_count} call(s), ` +
        `${data.total_tokens} tokens.`,
      ...data.by_model.map((row) => `  ${row.model}: $${row.cost_usd.toFixed(4)} (${row.calls} calls)`),
      budget.budgetUsd === null
        ? `No monthly budget set (this month: $${data.budget.month_spent_usd.toFixed(4)}).`
        : `Budget ${month}: $${data.budget.month_spent_usd.toFixed(4)} of $${budget.budgetUsd.toFixed(2)}` +
          ` (${data.budget.percent_used}%).`,
      ...(budget.warning ? [`⚠️ ${budget.warning}`] : []),
      ...(policy.model ? [] : ["No model configured (CODING_MEMORY_MODEL): features use their non-LLM fallbacks."]),
    ];
    return { data, text: lines.join("\n") };
  },
});

function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

function totalsView(totals: CostTotals) {
  return {
    cost_usd: round(nanoToUsd(totals.nanoUsd)),
    input_tokens: totals.inputTokens,
    cached_input_tokens: totals.cachedInputTokens,
    output_tokens: totals.outputTokens,
    calls: totals.calls,
  };
}

function callView(call: LlmCallRecord) {
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
    cost_usd: round(nanoToUsd(call.nanoUsd)),
    estimated_cost_usd: round(nanoToUsd(call.estimatedNanoUsd)),
    latency_ms: call.latencyMs,
    outcome: call.outcome,
    error: call.error,
  };
}
