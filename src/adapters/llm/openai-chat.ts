import OpenAI from "openai";
import {
  messageText,
  type LlmProvider,
  type LlmProviderId,
  type LlmRequest,
  type LlmResponse,
} from "../../domain/llm/types";
import type { FetchLike } from "../openai-compatible-embedder";
import { sdkFailure } from "./retry";

export interface OpenAiChatOptions {
  id: Extract<LlmProviderId, "openai" | "openai-compatible">;
  name: string;
  apiKey: string;
  /** Default https://api.openai.com/v1; Ollama http://localhost:11434/v1, LM Studio http://localhost:1234/v1. */
  baseUrl?: string;
  fetch: FetchLike;
  timeoutMs: number;
  maxRetries: number;
}

/** Chat Completions through the `openai` SDK: OpenAI itself, or any server that speaks its API. */
export class OpenAiChatProvider implements LlmProvider {
  readonly id: OpenAiChatOptions["id"];
  readonly name: string;
  private readonly client: OpenAI;

  constructor(options: OpenAiChatOptions) {
    this.id = options.id;
    this.name = options.name;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
      fetch: options.fetch as unknown as typeof fetch,
      timeout: options.timeoutMs,
      // The SDK retries 408/409/429/5xx and connection errors with backoff.
      maxRetries: options.maxRetries,
    });
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      ...(request.system ? [{ role: "system" as const, content: request.system }] : []),
      ...request.messages.map((message): OpenAI.Chat.ChatCompletionMessageParam => {
        if (typeof message.content === "string" || message.role === "assistant") {
          return { role: message.role, content: messageText(message.content) };
        }
        return {
          role: "user",
          content: message.content.map((part) =>
            part.type === "text"
              ? { type: "text" as const, text: part.text }
              : { type: "image_url" as const, image_url: { url: `data:${part.mediaType};base64,${part.base64}` } },
          ),
        };
      }),
    ];
    try {
      const completion = await this.client.chat.completions.create({
        model: request.model,
        messages,
        // OpenAI's reasoning models reject max_tokens; servers copying the older API may not know the new name.
        ...(this.id === "openai"
          ? { max_completion_tokens: request.maxOutputTokens }
          : { max_tokens: request.maxOutputTokens }),
        ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      });
      const text = completion.choices[0]?.message.content ?? "";
      const usage = completion.usage;
      return {
        text,
        model: completion.model || request.model,
        usage: {
          inputTokens: usage?.prompt_tokens ?? 0,
          cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
          outputTokens: usage?.completion_tokens ?? 0,
        },
        // A server that omits usage (or half of it) is billed the reserved worst case by the gateway.
        usageReported: typeof usage?.prompt_tokens === "number" && typeof usage.completion_tokens === "number",
      };
    } catch (error) {
      throw sdkFailure(this.name, error, (e) => e instanceof OpenAI.APIError);
    }
  }
}
