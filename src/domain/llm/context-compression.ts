/**
 * Context compression: when the project's context does not fit the caller's token budget, the deterministic
 * context drops whole items; with a model, a larger context is compressed into the budget instead, so every
 * open error and decision can still be named. Through the gateway's budget and approval path.
 */
import type { ProjectContext } from "../context/context";
import type { PendingApproval } from "./ports";
import type { Project } from "../core/records";
import type { ApprovalDesk } from "./approvals";
import type { LlmGateway } from "./gateway";
import { NO_MODEL, runOrHold } from "./held-run";
import type { LlmSettingsService } from "./settings";

/** How much larger the source context may be than the budget it is compressed into. */
export const COMPRESSION_SOURCE_FACTOR = 4;
export const MAX_COMPRESSION_SOURCE_TOKENS = 6_000;

export type BuildContext = (options: { focus: string | null; maxTokens: number }) => Promise<ProjectContext>;

export type CompressionResult =
  | { state: "ready"; markdown: string; model: string; usd: number; sourceTokens: number; warning: string | null }
  | { state: "approval_required"; approval: PendingApproval }
  | { state: "skipped"; reason: string };

export class ContextCompressor {
  constructor(
    private readonly gateway: LlmGateway,
    private readonly settings: LlmSettingsService,
    private readonly approvals: ApprovalDesk,
    private readonly systemPrompt: string,
  ) {}

  async compress(
    userId: string,
    project: Project,
    budgeted: ProjectContext,
    build: BuildContext,
    options: { approved: boolean },
  ): Promise<CompressionResult> {
    if (Object.keys(budgeted.omitted).length === 0) return { state: "skipped", reason: "the context already fits" };
    const settings = await this.settings.effective(project.id);
    if (!settings.model) return { state: "skipped", reason: NO_MODEL };
    const sourceBudget = Math.min(MAX_COMPRESSION_SOURCE_TOKENS, budgeted.tokenBudget * COMPRESSION_SOURCE_FACTOR);
    const source = await build({ focus: budgeted.focus, maxTokens: sourceBudget });
    const request = {
      system: this.systemPrompt,
      messages: [
        {
          role: "user" as const,
          content: `Token budget: ${budgeted.tokenBudget}\n\n${source.markdown}`,
        },
      ],
      maxOutputTokens: budgeted.tokenBudget,
      temperature: 0.1,
    };
    const run = await runOrHold(this.gateway, this.approvals, {
      context: { projectId: project.id, userId, sessionId: null, operation: "context_compression" },
      settings,
      request,
      approved: options.approved,
      hold: {
        operation: "context_compression",
        subjectId: "",
        input: JSON.stringify({ focus: budgeted.focus, maxTokens: budgeted.tokenBudget }),
      },
    });
    if (run.state !== "ready") return run;
    const { result } = run;
    return {
      state: "ready",
      markdown: result.text.trim(),
      model: result.model,
      usd: result.usd,
      sourceTokens: source.estimatedTokens,
      warning: result.budget.warning,
    };
  }

  /** The settings of a held compression: the focus and budget it was asked with. */
  static heldOptions(approval: PendingApproval): { focus: string | null; maxTokens: number } {
    const parsed = JSON.parse(approval.input ?? "{}") as { focus?: string | null; maxTokens?: number };
    return { focus: parsed.focus ?? null, maxTokens: parsed.maxTokens ?? 1500 };
  }
}
