import { calcPrice } from "@pydantic/genai-prices";
import { usdToNano } from "../domain/llm/models";
import type { LlmProviderId, LlmUsage, Price, PriceBook } from "../domain/llm/types";

/** Bumped with the dependency; shown as the source of every price. */
export const PRICE_DATA = "@pydantic/genai-prices 0.1.8";

/** Our provider ids → the price data's. OpenAI-compatible servers are matched by model id across providers. */
const PROVIDER_IDS: Partial<Record<LlmProviderId, string>> = {
  openai: "openai",
  anthropic: "anthropic",
  gemini: "google",
  "workers-ai": "cloudflare",
};

/**
 * Prices from `@pydantic/genai-prices`, a maintained table bundled with the Worker (no network at run time;
 * new prices arrive by upgrading the package). It knows cached-input and tiered prices per model and date.
 */
export class GenAiPriceBook implements PriceBook {
  /** `localModels`: an OpenAI-compatible server on this machine or network (Ollama, LM Studio) costs nothing. */
  constructor(private readonly options: { localModels: boolean }) {}

  price(provider: LlmProviderId, model: string, usage: LlmUsage, at: Date): Price {
    const providerId = PROVIDER_IDS[provider];
    const result = calcPrice(
      {
        input_tokens: usage.inputTokens,
        cache_read_tokens: usage.cachedInputTokens,
        output_tokens: usage.outputTokens,
      },
      model,
      { ...(providerId ? { providerId } : {}), timestamp: at },
    );
    if (result) return { nanoUsd: usdToNano(result.total_price), known: true, source: PRICE_DATA };
    if (provider === "openai-compatible" && this.options.localModels) {
      return { nanoUsd: 0, known: true, source: "self-hosted model: free" };
    }
    return { nanoUsd: 0, known: false, source: `${PRICE_DATA} has no price for ${model}` };
  }
}
