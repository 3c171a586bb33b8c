import { z } from "zod";
import type { ProjectLlmSettings } from "../../domain/llm/settings";
import { renderSettings, settingsView } from "../../views/settings";
import { NULL_RESETS } from "../advertised";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";

const modelField = z.string().min(1).max(200);

// Loose: new settings may be added without breaking a validating client.
const settingsOutput = z.looseObject({
  model: z.string().nullable(),
  vision_model: z.string().nullable(),
  auto_approve: z.boolean(),
  cost_threshold: z.number(),
  max_monthly_budget_usd: z.number().nullable(),
  warn_at_percentage: z.number(),
  auto_summarize_on_end: z.boolean(),
  project_overrides: z.array(z.string()),
});

export const updateSettingsTool = defineTool({
  name: "coding_update_settings",
  title: "Project LLM settings",
  description: "Show or change the project's LLM settings; omitted fields stay, null restores the default.",
  inputSchema: z
    .object({
      ...scopedInput,
      model: modelField.nullish().meta(NULL_RESETS).describe('e.g. "gpt-5-mini".'),
      vision_model: modelField.nullish().meta(NULL_RESETS).describe('e.g. "gpt-4o".'),
      auto_approve: z.boolean().nullish().meta(NULL_RESETS).describe("Skip approvals."),
      cost_threshold: z
        .number()
        .min(0)
        .max(1000)
        .nullish()
        .meta(NULL_RESETS)
        .describe("USD; costlier calls need approval."),
      max_monthly_budget_usd: z.number().min(0).max(1_000_000).nullish().meta(NULL_RESETS).describe("USD per month."),
      warn_at_percentage: z.number().min(1).max(100).nullish().meta(NULL_RESETS).describe("Percent of budget."),
      auto_summarize_on_end: z.boolean().nullish().meta(NULL_RESETS).describe("AI summary at session end."),
    })
    // A misspelt setting (cost_threshold_usd) must be refused, not silently left unchanged.
    .strict(),
  outputSchema: settingsOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "admin",
  // Configuring a project before anything is recorded in it is normal (model, budget first).
  createsProject: true,
  rest: { method: "POST", path: "/settings", status: 200 },
  async run({ services, identity, project }, input) {
    const changes: Partial<ProjectLlmSettings> = {};
    if (input.model !== undefined) changes.model = input.model;
    if (input.vision_model !== undefined) changes.visionModel = input.vision_model;
    if (input.auto_approve !== undefined) changes.autoApprove = input.auto_approve;
    if (input.cost_threshold !== undefined) changes.costThresholdUsd = input.cost_threshold;
    if (input.max_monthly_budget_usd !== undefined) changes.maxMonthlyBudgetUsd = input.max_monthly_budget_usd;
    if (input.warn_at_percentage !== undefined) changes.warnAtPercentage = input.warn_at_percentage;
    if (input.auto_summarize_on_end !== undefined) changes.autoSummarizeOnEnd = input.auto_summarize_on_end;
    const settings = await services.llm.settings.update(project.id, identity.userId, changes);
    const data = settingsView(settings);
    return { data, text: renderSettings(project.slug, data, Object.keys(changes).length > 0) };
  },
});
