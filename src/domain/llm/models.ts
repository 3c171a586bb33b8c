import { AppError } from "../core/app-error";
import type { LlmProviderId } from "./types";

export interface ModelRef {
  provider: LlmProviderId;
  /** The provider's own id, e.g. "gpt-5-mini", "claude-sonnet-4-5", "@cf/meta/llama-3.1-8b-instruct". */
  model: string;
}

const PREFIXES: Record<string, LlmProviderId> = {
  openai: "openai",
  anthropic: "anthropic",
  gemini: "gemini",
  google: "gemini",
  "workers-ai": "workers-ai",
  cloudflare: "workers-ai",
  ollama: "openai-compatible",
  lmstudio: "openai-compatible",
  local: "openai-compatible",
  "openai-compatible": "openai-compatible",
};

/**
 * Reads a model setting the way the seed's CODING_MEMORY_MODEL reads: a bare id whose family names the provider
 * ("gpt-5-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "@cf/meta/…"), or `provider/model`
 * ("gemini/gemini-2.5-flash", "ollama/llama3.1"). `ollama/`, `lmstudio/` and `local/` mean the
 * OpenAI-compatible endpoint at CODING_MEMORY_BASE_URL.
 */
export function resolveModel(spec: string, field = "model"): ModelRef {
  const trimmed = spec.trim();
  if (!trimmed) throw new AppError("invalid_input", `${field}: empty model name.`, { details: { field } });
  if (trimmed.startsWith("@cf/") || trimmed.startsWith("@hf/")) return { provider: "workers-ai", model: trimmed };
  const slash = trimmed.indexOf("/");
  if (slash > 0) {
    const provider = PREFIXES[trimmed.slice(0, slash).toLowerCase()];
    if (provider) return { provider, model: trimmed.slice(slash + 1) };
  }
  const lower = trimmed.toLowerCase();
  if (/^(gpt-|o\d|chatgpt-)/.test(lower)) return { provider: "openai", model: trimmed };
  if (lower.startsWith("claude")) return { provider: "anthropic", model: trimmed };
  if (lower.startsWith("gemini") || lower.startsWith("gemma")) return { provider: "gemini", model: trimmed };
  throw new AppError(
    "invalid_input",
    `${field}: cannot tell which provider serves "${trimmed}". Use provider/model, e.g. openai/${trimmed}, ` +
      `ollama/${trimmed}, workers-ai/@cf/…`,
    { details: { field } },
  );
}

export function modelLabel(ref: ModelRef): string {
  return `${ref.provider}/${ref.model}`;
}

export const NANO_PER_USD = 1_000_000_000;

export function usdToNano(usd: number): number {
  return Math.round(usd * NANO_PER_USD);
}

export function nanoToUsd(nano: number): number {
  return nano / NANO_PER_USD;
}

/** The UTC calendar month a call is billed to, `YYYY-MM`. */
export function billingMonth(at: number): string {
  return new Date(at).toISOString().slice(0, 7);
}
