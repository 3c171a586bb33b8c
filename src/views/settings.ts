import type { EffectiveLlmSettings, ProjectLlmSettings } from "../domain/llm/settings";

/** Settings by their input names, so `project_overrides` lists what a caller would pass to change them. */
const FIELD_NAMES: Record<keyof ProjectLlmSettings, string> = {
  model: "model",
  visionModel: "vision_model",
  autoApprove: "auto_approve",
  costThresholdUsd: "cost_threshold",
  maxMonthlyBudgetUsd: "max_monthly_budget_usd",
  warnAtPercentage: "warn_at_percentage",
  autoSummarizeOnEnd: "auto_summarize_on_end",
};

/** The effective settings (project values over the server defaults) and which of them the project set. */
export function settingsView(settings: EffectiveLlmSettings) {
  return {
    model: settings.model,
    vision_model: settings.visionModel,
    auto_approve: settings.autoApprove,
    cost_threshold: settings.costThresholdUsd,
    max_monthly_budget_usd: settings.maxMonthlyBudgetUsd,
    warn_at_percentage: settings.warnAtPercentage,
    auto_summarize_on_end: settings.autoSummarizeOnEnd,
    project_overrides: settings.overridden.map((key) => FIELD_NAMES[key]),
  };
}

export function renderSettings(slug: string, data: ReturnType<typeof settingsView>, changed: boolean): string {
  const mark = (field: string) => (data.project_overrides.includes(field) ? " (project)" : " (server default)");
  return [
    `${changed ? "Updated LLM settings" : "LLM settings"} of ${slug}:`,
    `- model: ${data.model ?? "none — features use their non-LLM fallbacks"}${mark("model")}`,
    `- vision_model: ${data.vision_model ?? "none"}${mark("vision_model")}`,
    `- auto_approve: ${data.auto_approve}${mark("auto_approve")}`,
    `- cost_threshold: $${data.cost_threshold}${mark("cost_threshold")}`,
    `- max_monthly_budget_usd: ${data.max_monthly_budget_usd === null ? "no budget" : `$${data.max_monthly_budget_usd}`}${mark("max_monthly_budget_usd")}`,
    `- warn_at_percentage: ${data.warn_at_percentage}%${mark("warn_at_percentage")}`,
    `- auto_summarize_on_end: ${data.auto_summarize_on_end}${mark("auto_summarize_on_end")}`,
  ].join("\n");
}
