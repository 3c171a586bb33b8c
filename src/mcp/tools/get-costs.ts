import { z } from "zod";
import { budgetState } from "../../domain/llm/gateway";
import { billingMonth, nanoToUsd } from "../../domain/llm/models";
import { callView, callViewSchema, costTotalsShape, totalsView } from "../../views/costs";
import { plural, roundUsd } from "../../views/render";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";

// Loose: budget reporting may grow fields without breaking a validating client.
const costsOutput = z.looseObject({
  total_cost: z.number(),
  total_tokens: z.number(),
  call_count: z.number(),
  ...costTotalsShape,
  by_model: z.array(z.object({ model: z.string(), ...costTotalsShape })),
  by_operation: z.array(z.object({ operation: z.string(), ...costTotalsShape })),
  by_month: z.array(z.object({ month: z.string(), ...costTotalsShape })),
  calls: z.array(callViewSchema),
  calls_truncated: z.boolean(),
  budget: z.object({
    month: z.string(),
    month_spent_usd: z.number(),
    max_monthly_budget_usd: z.number().nullable(),
    percent_used: z.number().nullable(),
    warning: z.string().nullable(),
  }),
  model: z.string().nullable(),
});

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
  outputSchema: costsOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "GET", path: "/costs" },
  async run({ services, project }, input) {
    const report = await services.llm.ledger.report(project.id, { month: input.month ?? null, limit: input.limit });
    const policy = await services.llm.settings.effective(project.id);
    const month = billingMonth(services.runtime.now());
    const budget = budgetState(policy, await services.llm.ledger.monthSpend(project.id, month));
    const data = {
      total_cost: roundUsd(nanoToUsd(report.totals.nanoUsd)),
      total_tokens: report.totals.inputTokens + report.totals.outputTokens,
      call_count: report.totals.calls,
      ...totalsView(report.totals),
      by_model: report.byModel.map((row) => ({ model: row.key, ...totalsView(row) })),
      by_operation: report.byOperation.map((row) => ({ operation: row.key, ...totalsView(row) })),
      by_month: report.byMonth.map((row) => ({ month: row.key, ...totalsView(row) })),
      calls: report.calls.map(callView),
      // The latest `limit` calls only: says whether older ones were left out.
      calls_truncated: report.totals.calls > report.calls.length,
      budget: {
        month,
        month_spent_usd: roundUsd(budget.monthSpentUsd),
        max_monthly_budget_usd: budget.budgetUsd,
        percent_used: budget.percentUsed === null ? null : Math.round(budget.percentUsed * 10) / 10,
        warning: budget.warning,
      },
      model: policy.model,
    };
    const lines = [
      `LLM costs${input.month ? ` in ${input.month}` : ""}: $${data.total_cost.toFixed(4)} over ${plural(data.call_count, "call")}, ` +
        `${plural(data.total_tokens, "token")}.`,
      ...data.by_model.map((row) => `  ${row.model}: $${row.cost_usd.toFixed(4)} (${plural(row.calls, "call")})`),
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
