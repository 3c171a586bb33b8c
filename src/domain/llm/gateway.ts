/**
 * The one way to call an LLM. Every call is bounded before it is made (the most its prompt and output can be
 * billed, token-bounds.ts), checked against the project's monthly budget at that worst case (a call the rest of
 * the budget cannot cover is refused and the provider is never called), held for approval when its bound is above
 * the threshold and auto-approve is off, then made and recorded with what it really used and cost. The worst case
 * is reserved atomically in the ledger, so concurrent calls cannot overrun a budget together; a call that never
 * reached a provider (no key, no binding) is not booked at all.
 */
import { AppError } from "../core/app-error";
import { redactOutboundRequest } from "./outbound-redaction";
import type { Runtime } from "../core/ports";
import { billingMonth, modelLabel, nanoToUsd, resolveModel, usdToNano, type ModelRef } from "./models";
import { promptTokenBound } from "./token-bounds";
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

/** The most a call can be billed: what is reserved against the budget and shown for approval. */
export interface CostEstimate {
  provider: string;
  model: string;
  /** An upper bound on prompt tokens (UTF-8 bytes of the text plus framing and image bounds). */
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
    if (!Number.isInteger(request.maxOutputTokens) || request.maxOutputTokens <= 0) {
      // Without an output cap sent to the provider, no bound on the bill exists.
      throw new AppError("internal", `maxOutputTokens must be a positive integer; got ${request.maxOutputTokens}.`);
    }
    const inputTokens = promptTokenBound(ref.provider, ref.model, request.system, request.messages);
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
   * call. Throws `budget_exceeded` (nothing called), `unavailable` with `details.configuration` (no key or
   * binding: nothing called, nothing booked) or `unavailable` (the provider failed; recorded).
   */
  async run(
    context: CallContext,
    policy: LlmPolicy,
    request: Omit<LlmRequest, "model">,
    options: { approved: boolean },
  ): Promise<LlmRunResult> {
    // The one outbound choke point: no provider ever receives a secret, whichever feature built the prompt. It runs
    // before the bound is computed, so the reservation covers exactly what is sent.
    const outbound = redactOutboundRequest(request);
    const estimate = this.estimate(policy, outbound);
    if (!estimate || !policy.model) return { status: "no_model" };
    const ref = resolveModel(policy.model);
    // Built before anything is booked: a missing key or binding is a configuration error, not a call.
    const provider = this.provider(ref);
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

    // Reserve the worst case: another call racing this one sees it, so both cannot slip under the limit.
    if (!(await this.ledger.reserve({ ...base, nanoUsd: estimatedNano }, limitNano))) {
      await this.ledger.note({ ...base, id: this.runtime.newId(), outcome: "refused_budget", error: "over budget" });
      throw this.overBudget(ref, estimate, await this.ledger.monthSpend(context.projectId, month), limitNano ?? 0);
    }
    const started = this.runtime.now();
    try {
      const response = await provider.complete({ ...outbound, model: ref.model });
      const settled = this.settlement(ref, estimate, estimatedNano, response.usage, response.usageReported, started);
      await this.ledger.settle(base.id, {
        model: response.model,
        ...settled.usage,
        nanoUsd: settled.nanoUsd,
        latencyMs: this.runtime.now() - started,
        outcome: "ok",
        error: settled.note,
      });
      return {
        status: "completed",
        callId: base.id,
        text: response.text,
        model: response.model,
        usage: settled.usage,
        usageReported: response.usageReported,
        usd: nanoToUsd(settled.nanoUsd),
        estimate,
        budget: budgetState(policy, spent + settled.nanoUsd),
      };
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      // A refused or failed call is not billed by the providers used here, so the reservation is released; a
      // call that timed out may have run to completion on the provider's side, so it keeps its worst case.
      const timedOut = isTimeout(cause);
      await this.ledger.settle(base.id, {
        model: ref.model,
        inputTokens: timedOut ? estimate.inputTokens : 0,
        cachedInputTokens: 0,
        outputTokens: timedOut ? estimate.outputTokens : 0,
        nanoUsd: timedOut ? estimatedNano : 0,
        latencyMs: this.runtime.now() - started,
        outcome: "error",
        error: `${timedOut ? "timed out (billed at the reserved worst case): " : ""}${message}`.slice(0, 500),
      });
      if (cause instanceof AppError) throw cause;
      const status = cause instanceof LlmProviderError ? cause.status : null;
      throw new AppError("unavailable", `The LLM provider failed: ${message}`, {
        details: { provider: provider.name, model: ref.model, status },
        cause,
      });
    }
  }

  /** Why calls under this policy cannot reach a provider (no key, binding or base URL), or null. */
  configurationError(policy: LlmPolicy): string | null {
    if (!policy.model) return null;
    try {
      this.provider(resolveModel(policy.model));
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** The provider for a model, or a configuration error that names what to set (nothing was called). */
  private provider(ref: ModelRef): LlmProvider {
    try {
      return this.providers(ref);
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      const details = cause instanceof AppError ? cause.details : undefined;
      throw new AppError("unavailable", message, {
        details: { ...details, model: modelLabel(ref), configuration: true },
        cause,
      });
    }
  }

  /**
   * What a completed call is booked at. Reported usage is billed as reported. No usage (some servers omit it)
   * bills the reservation: the provider billed something, and the worst case is the only figure that cannot be
   * below it. Usage above the bound (which no real tokenizer produces) is still billed as reported — the ledger
   * mirrors the invoice — and noted; later calls reserve against that real spend, so once it reaches the budget
   * every further call of the month is refused.
   */
  private settlement(
    ref: ModelRef,
    estimate: CostEstimate,
    estimatedNano: number,
    reported: LlmUsage,
    usageReported: boolean,
    started: number,
  ): { usage: LlmUsage; nanoUsd: number; note: string | null } {
    if (!usageReported) {
      return {
        usage: { inputTokens: estimate.inputTokens, cachedInputTokens: 0, outputTokens: estimate.outputTokens },
        nanoUsd: estimatedNano,
        note: "no usage reported: billed at the reserved worst case",
      };
    }
    const nanoUsd = this.prices.price(ref.provider, ref.model, reported, new Date(started)).nanoUsd;
    const above = reported.inputTokens > estimate.inputTokens || reported.outputTokens > estimate.outputTokens;
    return {
      usage: reported,
      nanoUsd,
      note:
        above || nanoUsd > estimatedNano
          ? `usage reported above the bound (${reported.inputTokens}/${reported.outputTokens} tokens against ` +
            `${estimate.inputTokens}/${estimate.outputTokens}): billed as reported`
          : null,
    };
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

/** A call abandoned by our timeout (the SDKs' and AbortSignal.timeout's errors), which the provider may still bill. */
function isTimeout(cause: unknown): boolean {
  for (let error = cause, depth = 0; error instanceof Error && depth < 4; error = error.cause, depth += 1) {
    if (/timeout|timed out/i.test(`${error.name} ${error.message}`)) return true;
  }
  return false;
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
