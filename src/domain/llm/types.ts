/**
 * Ports of the LLM gateway. A provider turns a request into text plus the usage the provider reported; a price
 * book turns usage into dollars; a ledger records every call and holds the budget reservations. The gateway
 * (gateway.ts) is the only caller of providers, so no LLM call can skip estimation, budgets or the ledger.
 */

export const LLM_PROVIDERS = ["workers-ai", "openai", "anthropic", "gemini", "openai-compatible"] as const;
export type LlmProviderId = (typeof LLM_PROVIDERS)[number];

/** The AI work the product does; recorded with every call so costs can be broken down by operation. */
export const LLM_OPERATIONS = [
  "session_summary",
  "error_analysis",
  "solution_suggestion",
  "preference_extraction",
  "context_compression",
  "screenshot_analysis",
  "diagram_analysis",
] as const;
export type LlmOperation = (typeof LLM_OPERATIONS)[number];

/**
 * The operations that can wait for the user's approval (PendingApproval.operation), each resumed by
 * coding_approve (src/mcp/held-operations.ts). error_analysis is not one: advice is held as solution_suggestion
 * whichever prompt it would use, and approving it chooses again.
 */
export type HeldOperation = Exclude<LlmOperation, "error_analysis">;

/** A part of a multimodal message: text, or an image (screenshots, diagrams) as base64 of a sniffed type. */
export type LlmContentPart =
  | { type: "text"; text: string }
  | { type: "image"; mediaType: "image/png" | "image/jpeg" | "image/webp" | "image/gif"; base64: string };

export interface LlmMessage {
  role: "user" | "assistant";
  content: string | LlmContentPart[];
}

/** The text of a message, images left out (for providers or estimates that only need the words). */
export function messageText(content: LlmMessage["content"]): string {
  return typeof content === "string"
    ? content
    : content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

export function messageImages(content: LlmMessage["content"]): Array<Extract<LlmContentPart, { type: "image" }>> {
  return typeof content === "string"
    ? []
    : content.filter((part): part is Extract<LlmContentPart, { type: "image" }> => part.type === "image");
}

export interface LlmRequest {
  /** The provider's own model id (after `resolveModel` stripped any `provider/` prefix). */
  model: string;
  system?: string;
  messages: LlmMessage[];
  /** Hard cap on generated tokens: sent to the provider and used as the worst case in the estimate. */
  maxOutputTokens: number;
  temperature?: number;
}

export interface LlmUsage {
  /** All prompt tokens, cached ones included. */
  inputTokens: number;
  /** The part of `inputTokens` served from the provider's prompt cache (billed at a lower rate). */
  cachedInputTokens: number;
  outputTokens: number;
}

export interface LlmResponse {
  text: string;
  /** The model that answered, as the provider names it. */
  model: string;
  usage: LlmUsage;
  /** False when the provider returned no usage and it was estimated from the texts instead. */
  usageReported: boolean;
}

export interface LlmProvider {
  readonly id: LlmProviderId;
  /** Named in error messages, e.g. "OpenAI" or "Ollama (localhost:11434)". */
  readonly name: string;
  /**
   * Throws `LlmProviderError` for anything the provider refused or failed. Retries (429/5xx with backoff) and
   * timeouts are the adapter's job, configured when it is built.
   */
  complete(request: LlmRequest): Promise<LlmResponse>;
}

/** A failure of the provider itself, with its HTTP status when it had one. */
export class LlmProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    readonly status: number | null,
    options: { cause?: unknown } = {},
  ) {
    super(`${provider}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LlmProviderError";
  }
}

export interface Price {
  /** USD, exact to the nano-dollar (integer). */
  nanoUsd: number;
  /** False when no price is known for the model (self-hosted models are free and say so in `source`). */
  known: boolean;
  /** Where the price came from, for display: "genai-prices 0.1.8", "local model: free", … */
  source: string;
}

export interface PriceBook {
  price(provider: LlmProviderId, model: string, usage: LlmUsage, at: Date): Price;
}

export type LlmOutcome = "ok" | "error" | "refused_budget" | "approval_required" | "denied";

export interface LlmCallRecord {
  id: string;
  projectId: string;
  userId: string;
  sessionId: string | null;
  operation: LlmOperation;
  provider: LlmProviderId;
  model: string;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  estimatedNanoUsd: number;
  nanoUsd: number;
  latencyMs: number;
  outcome: LlmOutcome;
  error: string | null;
  /** Calendar month (UTC) the call is billed to, `YYYY-MM`. */
  month: string;
  createdAt: number;
}

export interface CostTotals {
  nanoUsd: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  calls: number;
}

export interface CostReport {
  totals: CostTotals;
  byModel: Array<{ key: string } & CostTotals>;
  byOperation: Array<{ key: string } & CostTotals>;
  byMonth: Array<{ key: string } & CostTotals>;
  calls: LlmCallRecord[];
}

/** Every LLM call of a project, and the spend that budgets are checked against. */
export interface CostLedger {
  /**
   * Records a call about to be made, with its estimated cost counted against the month, in one atomic step:
   * refused (false, nothing written) when spend + estimate would pass `limitNanoUsd`. Concurrent reservations
   * cannot both slip under the limit.
   */
  reserve(call: LlmCallRecord, limitNanoUsd: number | null): Promise<boolean>;
  /** Replaces a reservation with what the call really used and cost. */
  settle(
    id: string,
    actual: Pick<
      LlmCallRecord,
      "model" | "inputTokens" | "cachedInputTokens" | "outputTokens" | "nanoUsd" | "latencyMs" | "outcome" | "error"
    >,
  ): Promise<void>;
  /** A call that was not made (refused, awaiting approval, denied): kept for the record at zero cost. */
  note(call: LlmCallRecord): Promise<void>;
  /** Spend of the month so far, reservations included. */
  monthSpend(projectId: string, month: string): Promise<number>;
  report(projectId: string, options: { month: string | null; limit: number }): Promise<CostReport>;
}
