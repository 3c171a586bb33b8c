import type { LlmProvider, LlmRequest, LlmResponse } from "../../domain/llm/types";
import { fromBase64 } from "../../domain/core/encoding";
import { LlmProviderError, messageImages, messageText } from "../../domain/llm/types";
import { withRetries, type RetryOptions } from "./retry";

/** The part of the `AI` binding text generation uses. */
export interface WorkersAiTextBinding {
  run(
    model: string,
    input: {
      messages: Array<{ role: "system" | "user" | "assistant"; content: string }>;
      /** Vision models: the image's bytes. */
      image?: number[];
      max_tokens: number;
      temperature?: number;
    },
  ): Promise<unknown>;
}

type Usage = { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } };

/** Text generation on Workers AI (`env.AI.run`), for both output shapes its models use. */
export class WorkersAiTextProvider implements LlmProvider {
  readonly id = "workers-ai" as const;
  readonly name = "Workers AI";

  constructor(
    private readonly ai: WorkersAiTextBinding,
    private readonly retry: RetryOptions,
  ) {}

  complete(request: LlmRequest): Promise<LlmResponse> {
    return withRetries(() => this.attempt(request), this.retry);
  }

  private async attempt(request: LlmRequest): Promise<LlmResponse> {
    const image = request.messages.flatMap((message) => messageImages(message.content))[0];
    const firstImage = image ? [...fromBase64(image.base64)] : null;
    let output: unknown;
    try {
      output = await this.ai.run(request.model, {
        messages: [
          ...(request.system ? [{ role: "system" as const, content: request.system }] : []),
          ...request.messages.map((message) => ({ role: message.role, content: messageText(message.content) })),
        ],
        // Workers AI vision models (e.g. @cf/meta/llama-3.2-11b-vision-instruct) take one image beside the messages.
        ...(firstImage ? { image: firstImage } : {}),
        max_tokens: request.maxOutputTokens,
        ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // The binding throws plain errors; capacity and rate errors mention them, and are worth a retry. A 5xx
      // status counts only as a whole number: Workers AI's own four-digit codes 5xxx (5007 no such model, 5018
      // account not allowed…) are permanent refusals, not server faults.
      const status = /capacity|rate|429|overload|timeout|\b5\d\d\b/i.test(message) ? 503 : 400;
      throw new LlmProviderError(this.name, message, status, { cause: error });
    }
    // Classic models: {response, usage}; chat-completions models: {choices:[{message}], usage}; some: a string.
    const shaped = (typeof output === "string" ? { response: output } : (output ?? {})) as {
      response?: string;
      choices?: Array<{ message?: { content?: string | null } }>;
      usage?: Usage;
    };
    const text = shaped.response ?? shaped.choices?.[0]?.message?.content ?? "";
    const usage = shaped.usage;
    return {
      text,
      model: request.model,
      usage: {
        inputTokens: usage?.prompt_tokens ?? 0,
        cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
        outputTokens: usage?.completion_tokens ?? 0,
      },
      // Without usage the gateway bills the reserved worst case, so the call is never free in the ledger.
      usageReported: typeof usage?.prompt_tokens === "number" && typeof usage.completion_tokens === "number",
    };
  }
}
