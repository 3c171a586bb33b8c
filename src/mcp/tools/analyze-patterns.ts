import { z } from "zod";
import type { PreferenceResult } from "../../domain/llm/preferences";
import { renderPatternReport } from "../../domain/context/change-statistics";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";
import { heldApproval, heldApprovalNote, heldApprovalView } from "../approvals";
import { elicitedDecision, llmResultSchema } from "../../views/llm";
import { patternReportSchema, patternReportView } from "../../views/patterns";

/** The team's preferences the model extracted, grouped (languages, libraries, naming, testing, style). */
export const preferencesSchema = llmResultSchema({});

const patternsOutput = patternReportSchema.extend({ preferences: preferencesSchema.optional(), ...elicitedDecision });

export const analyzePatternsTool = defineTool({
  name: "coding_analyze_patterns",
  title: "Analyze coding patterns",
  description:
    "Patterns in the project's history (10+ changes): languages, hot files, recurring errors, naming, tests; " +
    "with a model, the team's preferences.",
  inputSchema: z.object({
    ...scopedInput,
    ai: z.boolean().default(true).describe("Extract preferences with the project's model, if any."),
  }),
  outputSchema: patternsOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  access: "read",
  rest: { method: "GET", path: "/patterns" },
  async run({ services, identity, project }, input) {
    const report = await services.context.analyzePatterns(project);
    if (report.status !== "ok" || !input.ai)
      return { data: patternReportView(report), text: renderPatternReport(report) };
    const result = await services.llm.preferences.extract(identity.userId, project, report, { approved: false });
    return {
      ...(result.state === "approval_required"
        ? heldApproval("extraction of the team's preferences", result.approval)
        : {}),
      data: { ...patternReportView(report), preferences: preferenceView(result) },
      text: `${renderPatternReport(report)}\n\n${renderPreferences(result)}`,
    };
  },
});

export function preferenceView(result: PreferenceResult) {
  switch (result.state) {
    case "ready":
      return {
        state: "ready" as const,
        model: result.model,
        cost_usd: Math.round(result.usd * 1e6) / 1e6,
        ...(result.preferences ?? { text: result.text }),
        ...(result.budget.warning ? { budget_warning: result.budget.warning } : {}),
      };
    case "approval_required":
      return heldApprovalView(result.approval);
    case "skipped":
      return { state: result.state, reason: result.reason };
  }
}

export function renderPreferences(result: PreferenceResult): string {
  if (result.state === "skipped") return `Preferences: not extracted (${result.reason}).`;
  if (result.state === "approval_required") {
    return heldApprovalNote("extracting the team's preferences", result.approval);
  }
  if (!result.preferences) return `🧭 Preferences (${result.model}):\n${result.text}`;
  const lines = [`🧭 Preferences (${result.model}):`];
  for (const [group, items] of Object.entries(result.preferences)) {
    for (const entry of items)
      lines.push(`- ${group}: ${entry.preference}${entry.evidence ? ` (${entry.evidence})` : ""}`);
  }
  if (result.budget.warning) lines.push(`⚠️ ${result.budget.warning}`);
  return lines.join("\n");
}
