/**
 * The LLM part of the composition root: reads the CODING_MEMORY_* and provider key variables and builds the
 * gateway's policy and provider factory. Like src/composition/services.ts, the only code that reads `env` for LLM work.
 */
import { AnthropicProvider } from "../adapters/llm/anthropic-messages";
import { GeminiProvider } from "../adapters/llm/gemini";
import { OpenAiChatProvider } from "../adapters/llm/openai-chat";
import { DEFAULT_RETRY } from "../adapters/llm/retry";
import { WorkersAiTextProvider } from "../adapters/llm/workers-ai";
import type { FetchLike } from "../adapters/openai-compatible-embedder";
import { AppError } from "../domain/core/app-error";
import type { ProviderFactory } from "../domain/llm/gateway";
import type { ServerLlmDefaults } from "../domain/llm/settings";
import type { Env } from "./env";

export const DEFAULT_COST_THRESHOLD_USD = 0.1;
export const DEFAULT_WARN_AT_PERCENTAGE = 80;
export const DEFAULT_LLM_TIMEOUT_MS = 60_000;

/** Server-wide defaults; a project's stored settings override them. */
export function llmDefaultsFromEnv(env: Env): ServerLlmDefaults {
  return {
    visionModel: env.CODING_MEMORY_VISION_MODEL?.trim() || null,
    autoSummarizeOnEnd: parseBoolean(
      env.CODING_MEMORY_AUTO_SUMMARIZE_ON_END,
      "CODING_MEMORY_AUTO_SUMMARIZE_ON_END",
      true,
    ),
    model: env.CODING_MEMORY_MODEL?.trim() || null,
    autoApprove: parseBoolean(env.CODING_MEMORY_AUTO_APPROVE, "CODING_MEMORY_AUTO_APPROVE", false),
    costThresholdUsd: parseNumber(
      env.CODING_MEMORY_COST_THRESHOLD,
      "CODING_MEMORY_COST_THRESHOLD",
      DEFAULT_COST_THRESHOLD_USD,
    ),
    maxMonthlyBudgetUsd: env.CODING_MEMORY_MAX_MONTHLY_BUDGET_USD?.trim()
      ? parseNumber(env.CODING_MEMORY_MAX_MONTHLY_BUDGET_USD, "CODING_MEMORY_MAX_MONTHLY_BUDGET_USD", 0)
      : null,
    warnAtPercentage: parseNumber(
      env.CODING_MEMORY_WARN_AT_PERCENTAGE,
      "CODING_MEMORY_WARN_AT_PERCENTAGE",
      DEFAULT_WARN_AT_PERCENTAGE,
    ),
  };
}

/** Builds the provider for a model on first use; a missing key or binding is an error naming what to set. */
export function providerFactoryFromEnv(env: Env, fetchImpl: FetchLike): ProviderFactory {
  const timeoutMs = parseNumber(
    env.CODING_MEMORY_LLM_TIMEOUT_MS,
    "CODING_MEMORY_LLM_TIMEOUT_MS",
    DEFAULT_LLM_TIMEOUT_MS,
  );
  const retry = DEFAULT_RETRY;
  return (ref) => {
    switch (ref.provider) {
      case "openai":
        return new OpenAiChatProvider({
          id: "openai",
          name: "OpenAI",
          apiKey: required(env.OPENAI_API_KEY, "OPENAI_API_KEY", ref.model),
          fetch: fetchImpl,
          timeoutMs,
          maxRetries: retry.maxRetries,
        });
      case "openai-compatible": {
        const baseUrl = required(env.CODING_MEMORY_BASE_URL, "CODING_MEMORY_BASE_URL", ref.model);
        return new OpenAiChatProvider({
          id: "openai-compatible",
          name: `OpenAI-compatible server (${safeHost(baseUrl)})`,
          // Local servers ignore the key, but the SDK insists on one.
          apiKey: env.CODING_MEMORY_BASE_URL_API_KEY || "none",
          baseUrl,
          fetch: fetchImpl,
          timeoutMs,
          maxRetries: retry.maxRetries,
        });
      }
      case "anthropic":
        return new AnthropicProvider({
          apiKey: required(env.ANTHROPIC_API_KEY, "ANTHROPIC_API_KEY", ref.model),
          fetch: fetchImpl,
          timeoutMs,
          maxRetries: retry.maxRetries,
        });
      case "gemini":
        return new GeminiProvider({
          apiKey: required(env.GEMINI_API_KEY, "GEMINI_API_KEY", ref.model),
          fetch: fetchImpl,
          timeoutMs,
          retry,
        });
      case "workers-ai":
        if (!env.AI) {
          throw new AppError(
            "unavailable",
            `Model ${ref.model} needs the Workers AI binding: add [ai] binding = "AI".`,
            {
              details: { variable: "AI" },
            },
          );
        }
        return new WorkersAiTextProvider(env.AI, retry);
    }
  };
}

/** Whether CODING_MEMORY_BASE_URL points at this machine or a private network (a self-hosted, free model). */
export function baseUrlIsLocal(env: Env): boolean {
  const base = env.CODING_MEMORY_BASE_URL?.trim();
  if (!base || !URL.canParse(base)) return false;
  const host = new URL(base).hostname;
  return /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|\[::1\]|host\.docker\.internal)/.test(host);
}

function safeHost(url: string): string {
  return URL.canParse(url) ? new URL(url).host : url;
}

function required(value: string | undefined, variable: string, model: string): string {
  if (value?.trim()) return value.trim();
  throw new AppError(
    "unavailable",
    `Model ${model} needs ${variable}: set it with \`wrangler secret put ${variable}\` (or in .dev.vars locally).`,
    { details: { variable } },
  );
}

function parseBoolean(raw: string | undefined, variable: string, fallback: boolean): boolean {
  const value = raw?.trim().toLowerCase();
  if (!value) return fallback;
  if (["true", "1", "yes"].includes(value)) return true;
  if (["false", "0", "no"].includes(value)) return false;
  throw new AppError("internal", `Server misconfigured: ${variable} must be true or false; got "${raw}".`, {
    details: { variable },
  });
}

function parseNumber(raw: string | undefined, variable: string, fallback: number): number {
  const value = raw?.trim();
  if (!value) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) {
    throw new AppError("internal", `Server misconfigured: ${variable} must be a non-negative number; got "${raw}".`, {
      details: { variable },
    });
  }
  return parsed;
}
