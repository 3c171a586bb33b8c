/**
 * Coding preferences extracted by the project's model from its recorded history, on top of the measured
 * statistics of `coding_analyze_patterns`: languages, libraries, naming, testing and style, each with evidence.
 */
import { z } from "zod";
import { estimateTokens } from "../context/context";
import { renderPatternReport, type PatternAnalysis } from "../context/change-statistics";
import type { DecisionStore } from "../decisions/ports";
import type { PendingApproval } from "./ports";
import type { Project } from "../core/records";
import type { ApprovalDesk } from "./approvals";
import type { BudgetState, LlmGateway } from "./gateway";
import { NO_MODEL, parseJsonAnswer, runOrHold } from "./held-run";
import type { LlmSettingsService } from "./settings";

export const PREFERENCE_INPUT_TOKENS = 3_000;
export const PREFERENCE_OUTPUT_TOKENS = 700;
const RECENT_CHANGES = 200;
const RECENT_DECISIONS = 30;

const item = z.object({ preference: z.string(), evidence: z.string().default("") });
const preferencesSchema = z.object({
  languages: z.array(item).default([]),
  libraries: z.array(item).default([]),
  naming: z.array(item).default([]),
  testing: z.array(item).default([]),
  style: z.array(item).default([]),
});
export type Preferences = z.infer<typeof preferencesSchema>;

export type PreferenceResult =
  | { state: "ready"; preferences: Preferences | null; text: string; model: string; usd: number; budget: BudgetState }
  | { state: "approval_required"; approval: PendingApproval }
  | { state: "skipped"; reason: string };

export class PreferenceExtractor {
  constructor(
    private readonly store: Pick<DecisionStore, "listChanges" | "listDecisions">,
    private readonly gateway: LlmGateway,
    private readonly settings: LlmSettingsService,
    private readonly approvals: ApprovalDesk,
    private readonly systemPrompt: string,
  ) {}

  async extract(
    userId: string,
    project: Project,
    report: PatternAnalysis,
    options: { approved: boolean },
  ): Promise<PreferenceResult> {
    const settings = await this.settings.effective(project.id);
    if (!settings.model) return { state: "skipped", reason: NO_MODEL };
    const run = await runOrHold(this.gateway, this.approvals, {
      context: { projectId: project.id, userId, sessionId: null, operation: "preference_extraction" },
      settings,
      request: await this.request(project, report),
      approved: options.approved,
      hold: { operation: "preference_extraction", subjectId: "", input: null },
    });
    if (run.state !== "ready") return run;
    const { result } = run;
    return {
      state: "ready",
      preferences: parseJsonAnswer(result.text, preferencesSchema),
      text: result.text,
      model: result.model,
      usd: result.usd,
      budget: result.budget,
    };
  }

  /** The compacted history: the measured report, recent changes (reasons, added imports) and decisions. */
  async request(project: Project, report: PatternAnalysis) {
    const [changes, decisions] = await Promise.all([
      this.store.listChanges(project.id, { limit: RECENT_CHANGES, cursor: null }),
      this.store.listDecisions(project.id, { limit: RECENT_DECISIONS, cursor: null }),
    ]);
    const imports = new Map<string, number>();
    const reasons: string[] = [];
    for (const change of changes.items) {
      for (const line of (change.diff ?? "").split("\n")) {
        const added = /^\+\s*((?:import|from|require|use|using|#include)\b.*|.*\brequire\(.*)$/.exec(line)?.[1];
        if (added) imports.set(added.trim().slice(0, 120), (imports.get(added.trim().slice(0, 120)) ?? 0) + 1);
      }
      reasons.push(`- ${change.filePath} [${change.action}]: ${change.reason.replace(/\s+/g, " ").slice(0, 120)}`);
    }
    const sections = [
      `Measured statistics:\n${renderPatternReport(report)}`,
      `Added import lines (${imports.size}):\n${[...imports]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 60)
        .map(([line, n]) => `- ${line}${n > 1 ? ` (×${n})` : ""}`)
        .join("\n")}`,
      `Decisions (${decisions.items.length}):\n${decisions.items
        .map((d) => `- ${d.decision.slice(0, 160)} — ${d.rationale.replace(/\s+/g, " ").slice(0, 160)}`)
        .join("\n")}`,
      `Recent changes (${reasons.length}):\n${reasons.join("\n")}`,
    ];
    let content = sections.join("\n\n");
    // Recent changes are the most numerous and least dense: they give way first.
    if (estimateTokens(content) > PREFERENCE_INPUT_TOKENS) {
      content = `${content.slice(0, PREFERENCE_INPUT_TOKENS * 4 - 30)}\n… (older changes left out)`;
    }
    return {
      system: this.systemPrompt,
      messages: [{ role: "user" as const, content }],
      maxOutputTokens: PREFERENCE_OUTPUT_TOKENS,
      temperature: 0.2,
    };
  }
}
