/**
 * The one way to call an LLM. Every call is estimated before it is made, checked against the project's monthly
 * budget (an estimate that would pass it is refused and the provider is never called), held for approval when
 * its estimate is above the threshold and auto-approve is off, then made and recorded with what it really used
 * and cost. Spend is reserved atomically in the ledger, so concurrent calls cannot overrun a budget together.
 */
import { AppError } from "../app-error";
import { redactOutboundRequest } from "./outbound-redaction";
import type { Runtime } from "../ports";
import {
  billingMonth,
  estimatePromptTokens,
  modelLabel,
  nanoToUsd,
  resolveModel,
  usdToNano,
  type ModelRef,
} from "./models";
import {
  LlmProviderError,
  type CostLedger,
  type LlmCallRecord,
  type LlmOperation,
  type LlmProvider,
  type LlmRequest,
  type LlmUsage,
  type PriceBook,
} from "./types";

/** The settings a call runs under: server defaults (env) overridden by the project's stored settings. */
export interface LlmPolicy {
  /** CODING_MEMORY_MODEL; null when no provider is configured (features use their deterministic fallback). */
  model: string | null;
  autoApprove: boolean;
  /** USD; an estimate above it needs approval unless auto-approve is on. */
  costThresholdUsd: number;
  /** USD per calendar month (UTC); null = no budget. */
  maxMonthlyBudgetUsd: number | null;
  /** Share of the budget (0-100) from which results carry a warning. */
  warnAtPercentage: number;
}

export interface CallContext {
  projectId: string;
  userId: string;
  sessionId: string | null;
  operation: LlmOperation;
}

export interface CostEstimate {
  provider: string;
  model: string;
  inputTokens: number;
  /** The most the call may generate (its max_tokens). */
  outputTokens: number;
  usd: number;
  /** False when no price is known for the model: the estimate is then 0 and says so. */
  priced: boolean;
  priceSource: string;
}

export interface BudgetState {
  monthSpentUsd: number;
  budgetUsd: number | null;
  /** Spend as a share of the budget, 0-100+; null without a budget. */
  percentUsed: number | null;
  /** Set once spend crosses `warnAtPercentage`. */
  warning: string | null;
}

export type LlmRunResult =
  | {
      status: "completed";
      callId: string;
      text: string;
      model: string;
      usage: LlmUsage;
      usageReported: boolean;
      usd: number;
      estimate: CostEstimate;
      budget: BudgetState;
    }
  | { status: "approval_required"; callId: string; estimate: CostEstimate; budget: BudgetState }
  | { status: "no_model" };

export type ProviderFactory = (ref: ModelRef) => LlmProvider;

export class LlmGateway {
  constructor(
    private readonly providers: ProviderFactory,
    private readonly prices: PriceBook,
    private readonly ledger: CostLedger,
    private readonly runtime: Pick<Runtime, "now" | "newId">,
  ) {}

  /** What a request would cost at most with the policy's model, without calling anything. */
  estimate(policy: LlmPolicy, request: Omit<LlmRequest, "model">): CostEstimate | null {
    if (!policy.model) return null;
    const ref = resolveModel(policy.model);
    const inputTokens = estimatePromptTokens(request.system, request.messages);
    const price = this.prices.price(
      ref.provider,
      ref.model,
      { inputTokens, cachedInputTokens: 0, outputTokens: request.maxOutputTokens },
      new Date(this.runtime.now()),
    );
    return {
      provider: ref.provider,
      model: ref.model,
      inputTokens,
      outputTokens: request.maxOutputTokens,
      usd: nanoToUsd(price.nanoUsd),
      priced: price.known,
      priceSource: price.source,
    };
  }

  /**
   * Runs the request under the policy. `approved` is true when the user has approved this operation (or it is
   * re-run after approval); without it an estimate above the threshold returns `approval_required` and makes no
   * call. Throws `budget_exceeded` (nothing called) or `unavailable` (the provider failed; recorded).
   */
  async run(
    context: CallContext,
    policy: LlmPolicy,
    request: Omit<LlmRequest, "model">,
    options: { approved: boolean },
  ): Promise<LlmRunResult> {
    const estimate = this.estimate(policy, request);
    if (!estimate || !policy.model) return { status: "no_model" };
    const ref = resolveModel(policy.model);
    const now = this.runtime.now();
    const month = billingMonth(now);
    const spent = await this.ledger.monthSpend(context.projectId, month);
    const estimatedNano = usdToNano(estimate.usd);
    const base: LlmCallRecord = {
      id: this.runtime.newId(),
      projectId: context.projectId,
      userId: context.userId,
      sessionId: context.sessionId,
      operation: context.operation,
      provider: ref.provider,
      model: ref.model,
      inputTokens: estimate.inputTokens,
      cachedInputTokens: 0,
      outputTokens: estimate.outputTokens,
      estimatedNanoUsd: estimatedNano,
      nanoUsd: 0,
      latencyMs: 0,
      outcome: "ok",
      error: null,
      month,
      createdAt: now,
    };

    const limitNano = policy.maxMonthlyBudgetUsd === null ? null : usdToNano(policy.maxMonthlyBudgetUsd);
    if (limitNano !== null && !estimate.priced) {
      await this.ledger.note({ ...base, outcome: "refused_budget", error: "no price known" });
      throw new AppError(
        "budget_exceeded",
        `No price is known for ${modelLabel(ref)}, so its cost cannot be held within the monthly budget. ` +
          `Choose a priced model, or remove max_monthly_budget_usd for this project.`,
        { details: { model: modelLabel(ref) } },
      );
    }
    if (limitNano !== null && spent + estimatedNano > limitNano) {
      await this.ledger.note({ ...base, outcome: "refused_budget", error: "over budget" });
      throw this.overBudget(ref, estimate, spent, limitNano);
    }
    if (!options.approved && needsApproval(policy, estimate)) {
      await this.ledger.note({ ...base, outcome: "approval_required" });
      return { status: "approval_required", callId: base.id, estimate, budget: budgetState(policy, spent) };
    }

    // Reserve the estimate: another call racing this one sees it, so both cannot slip under the limit.
    if (!(await this.ledger.reserve({ ...base, nanoUsd: estimatedNano }, limitNano))) {
      await this.ledger.note({ ...base, id: this.runtime.newId(), outcome: "refused_budget", error: "over budget" });
      throw this.overBudget(ref, estimate, await this.ledger.monthSpend(context.projectId, month), limitNano ?? 0);
    }
    const provider = this.providers(ref);
    const started = this.runtime.now();
    try {
      // The one outbound choke point: no provider ever receives a secret, whichever feature built the prompt.
      const response = await provider.complete(redactOutboundRequest({ ...request, model: ref.model }));
      const price = this.prices.price(ref.provider, ref.model, response.usage, new Date(started));
      await this.ledger.settle(base.id, {
        model: response.model,
        inputTokens: response.usage.inputTokens,
        cachedInputTokens: response.usage.cachedInputTokens,
        outputTokens: response.usage.outputTokens,
        nanoUsd: price.nanoUsd,
        latencyMs: this.runtime.now() - started,
        outcome: "ok",
        error: null,
      });
      return {
        status: "completed",
        callId: base.id,
        text: response.text,
        model: response.model,
        usage: response.usage,
        usageReported: response.usageReported,
        usd: nanoToUsd(price.nanoUsd),
        estimate,
        budget: budgetState(policy, spent + price.nanoUsd),
      };
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      await this.ledger.settle(base.id, {
        model: ref.model,
        inputTokens: 0,
        cachedInputTokens: 0,
        outputTokens: 0,
        // A failed call is not billed by the providers used here; the reservation is released.
        nanoUsd: 0,
        latencyMs: this.runtime.now() - started,
        outcome: "error",
        error: message.slice(0, 500),
      });
      if (cause instanceof AppError) throw cause;
      const status = cause instanceof LlmProviderError ? cause.status : null;
      throw new AppError("unavailable", `The LLM provider failed: ${message}`, {
        details: { provider: provider.name, model: ref.model, status },
        cause,
      });
    }
  }

  private overBudget(ref: ModelRef, estimate: CostEstimate, spentNano: number, limitNano: number): AppError {
    return new AppError(
      "budget_exceeded",
      `Refused: ${modelLabel(ref)} would cost up to ${formatUsd(estimate.usd)}, and this project has spent ` +
        `${formatUsd(nanoToUsd(spentNano))} of its ${formatUsd(nanoToUsd(limitNano))} monthly budget. ` +
        `Raise max_monthly_budget_usd or wait for next month; nothing was sent to the provider.`,
      {
        details: {
          estimate_usd: estimate.usd,
          month_spent_usd: nanoToUsd(spentNano),
          budget_usd: nanoToUsd(limitNano),
        },
      },
    );
  }
}

/** Plan mode: an estimate above the threshold needs the user's approval unless auto-approve is on. */
export function needsApproval(policy: LlmPolicy, estimate: CostEstimate): boolean {
  return !policy.autoApprove && estimate.usd > policy.costThresholdUsd;
}

export function budgetState(policy: LlmPolicy, spentNano: number): BudgetState {
  const monthSpentUsd = nanoToUsd(spentNano);
  if (policy.maxMonthlyBudgetUsd === null) {
    return { monthSpentUsd, budgetUsd: null, percentUsed: null, warning: null };
  }
  const percentUsed =
    policy.maxMonthlyBudgetUsd > 0 ? (monthSpentUsd / policy.maxMonthlyBudgetUsd) * 100 : monthSpentUsd > 0 ? 100 : 0;
  const warning =
    percentUsed >= policy.warnAtPercentage
      ? `LLM spend this month is ${formatUsd(monthSpentUsd)}, ${Math.round(percentUsed)}% of the ` +
        `${formatUsd(policy.maxMonthlyBudgetUsd)} budget (warning at ${policy.warnAtPercentage}%).`
      : null;
  return { monthSpentUsd, budgetUsd: policy.maxMonthlyBudgetUsd, percentUsed, warning };
}

/** Dollars with cents, or with the digits that matter below a cent. */
export function formatUsd(usd: number): string {
  return usd >= 1 || usd === 0 ? `$${usd.toFixed(2)}` : `$${Number(usd.toPrecision(2))}`;
}
