import type { LlmProvider, LlmRequest, LlmResponse } from "../../domain/llm/types";
import { LlmProviderError } from "../../domain/llm/types";
import type { FetchLike } from "../openai-compatible-embedder";
import { withRetries, type RetryOptions } from "./retry";

export interface GeminiOptions {
  apiKey: string;
  /** Default https://generativelanguage.googleapis.com/v1beta. */
  baseUrl?: string;
  fetch: FetchLike;
  timeoutMs: number;
  retry: RetryOptions;
}

interface GenerateContentResponse {
  candidates?: Array<{ content?: { parts?: Array<{ text?: string; thought?: boolean }> }; finishReason?: string }>;
  usageMetadata?: {
    promptTokenCount?: number;
    candidatesTokenCount?: number;
    cachedContentTokenCount?: number;
    thoughtsTokenCount?: number;
  };
  modelVersion?: string;
  promptFeedback?: { blockReason?: string };
  error?: { message?: string };
}

/** Gemini's `models/{model}:generateContent` REST endpoint. */
export class GeminiProvider implements LlmProvider {
  readonly id = "gemini" as const;
  readonly name = "Google Gemini";
  private readonly baseUrl: string;

  constructor(private readonly options: GeminiOptions) {
    this.baseUrl = (options.baseUrl ?? "https://generativelanguage.googleapis.com/v1beta").replace(/\/+$/, "");
  }

  complete(request: LlmRequest): Promise<LlmResponse> {
    return withRetries(() => this.attempt(request), this.options.retry);
  }

  private async attempt(request: LlmRequest): Promise<LlmResponse> {
    const body = {
      ...(request.system ? { systemInstruction: { parts: [{ text: request.system }] } } : {}),
      contents: request.messages.map((message) => ({
        role: message.role === "assistant" ? "model" : "user",
        parts:
          typeof message.content === "string"
            ? [{ text: message.content }]
            : message.content.map((part) =>
                part.type === "text"
                  ? { text: part.text }
                  : { inline_data: { mime_type: part.mediaType, data: part.base64 } },
              ),
      })),
      generationConfig: {
        maxOutputTokens: request.maxOutputTokens,
        ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      },
    };
    let response: Response;
    try {
      response = await this.options.fetch(
        `${this.baseUrl}/models/${encodeURIComponent(request.model)}:generateContent`,
        {
          method: "POST",
          headers: { "Content-Type": "application/json", "x-goog-api-key": this.options.apiKey },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        },
      );
    } catch (error) {
      throw new LlmProviderError(this.name, `request failed: ${error instanceof Error ? error.message : error}`, null, {
        cause: error,
      });
    }
    const json = (await response.json().catch(() => ({}))) as GenerateContentResponse;
    if (!response.ok) {
      throw new LlmProviderError(this.name, json.error?.message ?? `HTTP ${response.status}`, response.status);
    }
    if (!json.candidates?.length && json.promptFeedback?.blockReason) {
      throw new LlmProviderError(this.name, `prompt blocked (${json.promptFeedback.blockReason})`, 400);
    }
    const text = (json.candidates?.[0]?.content?.parts ?? [])
      .filter((part) => !part.thought)
      .map((part) => part.text ?? "")
      .join("");
    const usage = json.usageMetadata;
    return {
      text,
      model: json.modelVersion ?? request.model,
      usage: {
        inputTokens: usage?.promptTokenCount ?? 0,
        cachedInputTokens: usage?.cachedContentTokenCount ?? 0,
        // Thinking tokens are billed as output.
        outputTokens: (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0),
      },
      // Without counts the gateway bills the reserved worst case.
      usageReported: typeof usage?.promptTokenCount === "number",
    };
  }
}
