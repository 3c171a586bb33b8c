import Anthropic from "@anthropic-ai/sdk";
import type { LlmProvider, LlmRequest, LlmResponse } from "../../domain/llm/types";
import type { FetchLike } from "../openai-compatible-embedder";
import { sdkFailure } from "./retry";

export interface AnthropicOptions {
  apiKey: string;
  baseUrl?: string;
  fetch: FetchLike;
  timeoutMs: number;
  maxRetries: number;
}

/** The Messages API through `@anthropic-ai/sdk`. */
export class AnthropicProvider implements LlmProvider {
  readonly id = "anthropic" as const;
  readonly name = "Anthropic";
  private readonly client: Anthropic;

  constructor(options: AnthropicOptions) {
    this.client = new Anthropic({
      apiKey: options.apiKey,
      ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
      fetch: options.fetch as unknown as typeof fetch,
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries,
    });
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    try {
      const message = await this.client.messages.create({
        model: request.model,
        max_tokens: request.maxOutputTokens,
        ...(request.system ? { system: request.system } : {}),
        messages: request.messages.map((m) => ({
          role: m.role,
          content:
            typeof m.content === "string"
              ? m.content
              : m.content.map((part) =>
                  part.type === "text"
                    ? { type: "text" as const, text: part.text }
                    : {
                        type: "image" as const,
                        source: { type: "base64" as const, media_type: part.mediaType, data: part.base64 },
                      },
                ),
        })),
        ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      });
      const text = message.content
        .map((block) => (block.type === "text" ? block.text : ""))
        .join("")
        .trim();
      // Typed as always present, but a proxy or gateway in between may drop it: then the worst case is billed.
      const usage = (message.usage ?? {}) as Partial<Anthropic.Usage>;
      const cacheRead = usage.cache_read_input_tokens ?? 0;
      const cacheWrite = usage.cache_creation_input_tokens ?? 0;
      return {
        text,
        model: message.model || request.model,
        // Anthropic's input_tokens leaves out cached and cache-writing tokens; ours counts every prompt token.
        usage: {
          inputTokens: (usage.input_tokens ?? 0) + cacheRead + cacheWrite,
          cachedInputTokens: cacheRead,
          outputTokens: usage.output_tokens ?? 0,
        },
        usageReported: typeof usage.input_tokens === "number" && typeof usage.output_tokens === "number",
      };
    } catch (error) {
      throw sdkFailure(this.name, error, (e) => e instanceof Anthropic.APIError);
    }
  }
}
