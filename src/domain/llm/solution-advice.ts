/**
 * AI advice for an error, case-based: the model sees the error and the most similar resolved errors of the
 * project with their fixes, and answers with a root cause, fix steps, a confidence, alternatives and debugging
 * tips. Asked for explicitly (never on every recorded error), and through the gateway's budget and approval path.
 */
import { z } from "zod";
import { AppError } from "../core/app-error";
import { estimateTokens } from "../context/context";
import type { ErrorSearchService } from "../errors/search";
import { errorEmbeddingText } from "../errors/text";
import type { ErrorStore } from "../errors/ports";
import type { PendingApproval } from "./ports";
import type { ErrorRecord, Project } from "../core/records";
import type { ApprovalDesk } from "./approvals";
import type { BudgetState, LlmGateway } from "./gateway";
import { NO_MODEL, parseJsonAnswer, runOrHold } from "./held-run";
import type { LlmSettingsService } from "./settings";
import { plural } from "../core/plural";

export const SOLUTION_ADVICE_INPUT_TOKENS = 2_000;
export const SOLUTION_ADVICE_OUTPUT_TOKENS = 600;
const SIMILAR_CASES = 5;

const adviceSchema = z.object({
  root_cause: z.string(),
  fix_steps: z.array(z.string()).default([]),
  confidence: z.enum(["high", "medium", "low"]),
  based_on: z.array(z.string()).default([]),
  alternatives: z.array(z.string()).default([]),
  debugging_tips: z.array(z.string()).default([]),
  prevention: z.string().default(""),
});
export type SolutionAdvice = z.infer<typeof adviceSchema>;

export type AdviceResult =
  | { state: "ready"; advice: SolutionAdvice | null; text: string; usd: number; model: string; budget: BudgetState }
  | { state: "approval_required"; approval: PendingApproval }
  | { state: "skipped"; reason: string };

export type AdviceSource = { error: ErrorRecord } | { text: string };

export class SolutionAdvisor {
  constructor(
    private readonly store: Pick<ErrorStore, "getError">,
    private readonly search: ErrorSearchService,
    private readonly gateway: LlmGateway,
    private readonly settings: LlmSettingsService,
    private readonly approvals: ApprovalDesk,
    private readonly prompts: { solutionSuggestion: string; errorAnalysis: string },
  ) {}

  async advise(
    userId: string,
    project: Project,
    source: AdviceSource,
    options: { approved: boolean },
  ): Promise<AdviceResult> {
    const settings = await this.settings.effective(project.id);
    if (!settings.model) return { state: "skipped", reason: NO_MODEL };
    const { request, operation } = await this.request(project, source);
    const run = await runOrHold(this.gateway, this.approvals, {
      context: { projectId: project.id, userId, sessionId: null, operation },
      settings,
      request,
      approved: options.approved,
      // Held as solution_suggestion whichever prompt was chosen: approving re-runs the advice, which picks again.
      hold: {
        operation: "solution_suggestion",
        subjectId: "error" in source ? source.error.id : "",
        input: "error" in source ? null : source.text,
      },
    });
    if (run.state !== "ready") return run;
    const { result } = run;
    return {
      state: "ready",
      advice: parseJsonAnswer(result.text, adviceSchema),
      text: result.text,
      usd: result.usd,
      model: result.model,
      budget: result.budget,
    };
  }

  /** The user approved a held suggestion: run it now. */
  async runApproved(project: Project, approval: PendingApproval): Promise<AdviceResult> {
    let source: AdviceSource;
    if (approval.subjectId) {
      const error = await this.store.getError(project.id, approval.subjectId);
      if (!error) throw new AppError("not_found", `The error of approval ${approval.id} no longer exists.`);
      source = { error };
    } else source = { text: approval.input ?? "" };
    return this.advise(approval.userId, project, source, { approved: true });
  }

  private async request(project: Project, source: AdviceSource) {
    const errorText =
      "error" in source ? errorEmbeddingText({ ...source.error, tags: [] }) : source.text.slice(0, 4_000);
    const similar = await this.search.search(project, errorText, {
      k: SIMILAR_CASES,
      mode: "hybrid",
      filters: { resolvedOnly: true, errorType: null, file: null, tag: null, since: null },
      ...("error" in source ? { excludeErrorId: source.error.id } : {}),
    });
    const cases = similar.hits.map(
      (hit) =>
        `- id ${hit.error.id} (similarity ${hit.similarity}, seen ${hit.error.occurrences}×): ` +
        `${hit.error.errorType}: ${hit.error.message.split("\n")[0]?.slice(0, 200)}\n  fix: ${hit.error.solution ?? ""}`,
    );
    const occurrences = "error" in source ? `\n(seen ${plural(source.error.occurrences, "time")} in this project)` : "";
    let content = `New error:\n${errorText}${occurrences}\n\nSimilar resolved errors in this project (${cases.length}):\n${cases.join("\n") || "(none)"}`;
    // Within budget: shorten the error's own text first (its first lines carry the type and message).
    if (estimateTokens(content) > SOLUTION_ADVICE_INPUT_TOKENS) {
      const room = SOLUTION_ADVICE_INPUT_TOKENS * 4 - (content.length - errorText.length) - 40;
      content = content.replace(errorText, `${errorText.slice(0, Math.max(400, room))}\n…`);
    }
    if (estimateTokens(content) > SOLUTION_ADVICE_INPUT_TOKENS)
      content = content.slice(0, SOLUTION_ADVICE_INPUT_TOKENS * 4);
    // Case-based when the project fixed similar errors before; otherwise an analysis of the error itself.
    const caseBased = cases.length > 0;
    return {
      operation: caseBased ? ("solution_suggestion" as const) : ("error_analysis" as const),
      request: {
        system: caseBased ? this.prompts.solutionSuggestion : this.prompts.errorAnalysis,
        messages: [{ role: "user" as const, content }],
        maxOutputTokens: SOLUTION_ADVICE_OUTPUT_TOKENS,
        temperature: 0.2,
      },
    };
  }
}
