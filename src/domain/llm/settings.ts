import type { LlmPolicy } from "./gateway";
import { resolveModel } from "./models";
import type { SettingsStore } from "./ports";
import type { ProjectLlmSettings } from "./ports";

export const NO_OVERRIDES: ProjectLlmSettings = {
  model: null,
  visionModel: null,
  autoApprove: null,
  costThresholdUsd: null,
  maxMonthlyBudgetUsd: null,
  warnAtPercentage: null,
  autoSummarizeOnEnd: null,
};

/** Server defaults that are not part of the gateway's per-call policy. */
export interface ServerLlmDefaults extends LlmPolicy {
  visionModel: string | null;
  autoSummarizeOnEnd: boolean;
}

export interface EffectiveLlmSettings extends ServerLlmDefaults {
  /** Which fields come from the project rather than the server. */
  overridden: Array<keyof ProjectLlmSettings>;
}

export function effectiveSettings(defaults: ServerLlmDefaults, project: ProjectLlmSettings): EffectiveLlmSettings {
  const overridden = (Object.keys(project) as Array<keyof ProjectLlmSettings>).filter((key) => project[key] !== null);
  return {
    model: project.model ?? defaults.model,
    visionModel: project.visionModel ?? defaults.visionModel,
    autoApprove: project.autoApprove ?? defaults.autoApprove,
    costThresholdUsd: project.costThresholdUsd ?? defaults.costThresholdUsd,
    maxMonthlyBudgetUsd: project.maxMonthlyBudgetUsd ?? defaults.maxMonthlyBudgetUsd,
    warnAtPercentage: project.warnAtPercentage ?? defaults.warnAtPercentage,
    autoSummarizeOnEnd: project.autoSummarizeOnEnd ?? defaults.autoSummarizeOnEnd,
    overridden,
  };
}

/** Reads and changes a project's effective LLM settings: the server's defaults under the project's overrides. */
export class LlmSettingsService {
  constructor(
    private readonly store: SettingsStore,
    private readonly defaults: () => ServerLlmDefaults,
    private readonly now: () => number,
  ) {}

  async effective(projectId: string): Promise<EffectiveLlmSettings> {
    return effectiveSettings(this.defaults(), await this.store.get(projectId));
  }

  async update(projectId: string, userId: string, changes: Partial<ProjectLlmSettings>): Promise<EffectiveLlmSettings> {
    // A model nobody can serve is refused now, naming the field, rather than at the first LLM call.
    if (changes.model) resolveModel(changes.model, "model");
    if (changes.visionModel) resolveModel(changes.visionModel, "vision_model");
    const stored = Object.keys(changes).length
      ? await this.store.update(projectId, changes, { userId, at: this.now() })
      : await this.store.get(projectId);
    return effectiveSettings(this.defaults(), stored);
  }
}

export type { ProjectLlmSettings };
