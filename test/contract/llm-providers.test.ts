/**
 * The LLM provider contract (llm-provider.contract.ts) run against every adapter in src/adapters/llm/. The HTTP
 * adapters get an intercepted `fetch` answering with the bodies each API documents, so the openai and Anthropic
 * SDKs run for real; Workers AI gets a fake `AI` binding that returns or throws what the binding does.
 */
import { describe, expect, it } from "vitest";
import { AnthropicProvider } from "../../src/adapters/llm/anthropic-messages";
import { GeminiProvider } from "../../src/adapters/llm/gemini";
import { OpenAiChatProvider } from "../../src/adapters/llm/openai-chat";
import { WorkersAiTextProvider, type WorkersAiTextBinding } from "../../src/adapters/llm/workers-ai";
import type { FetchLike } from "../../src/adapters/openai-compatible-embedder";
import { toBase64 } from "../../src/domain/core/encoding";
import {
  llmProviderContract,
  type LlmProviderHarness,
  type ProviderFailure,
  type ScriptedAnswer,
  type SentImage,
} from "./llm-provider.contract";

interface HttpCall {
  url: string;
  headers: Headers;
  body: Record<string, any>;
}

type Completion = Extract<ScriptedAnswer, { kind: "completion" }>;

/** One retry, answered at once: the SDKs honour `retry-after-ms`, the fetch adapters take the backoff as an option. */
const RETRIES = 1;

/**
 * An HTTP API that answers call n with `answers[n]`: `ok` writes a completion in the API's shape, `error` the API's
 * error body for a status. Every answer to a failure carries `retry-after-ms: 1` so the SDKs' backoff is instant.
 */
function fakeApi(
  answers: ScriptedAnswer[],
  ok: (answer: Completion, body: Record<string, any>) => unknown,
  error: (status: ProviderFailure) => unknown,
) {
  const calls: HttpCall[] = [];
  const fetch: FetchLike = async (input, init) => {
    const request = new Request(input, init);
    const body = JSON.parse(await request.text()) as Record<string, any>;
    calls.push({ url: request.url, headers: request.headers, body });
    const answer = answers.shift();
    if (!answer) throw new Error(`unscripted call to ${request.url}`);
    if (answer.kind === "failure") {
      return Response.json(error(answer.status), {
        status: answer.status,
        headers: { "retry-after-ms": "1", "retry-after": "0" },
      });
    }
    return Response.json(ok(answer, body));
  };
  return { fetch, calls };
}

/** Text parts of user messages written as `content: string | parts[]` with `{type: "text", text}` parts. */
function partsText(messages: Array<{ role: string; content: unknown }>): string {
  return messages
    .filter((message) => message.role === "user")
    .flatMap((message) =>
      typeof message.content === "string"
        ? [message.content]
        : (message.content as Array<{ type: string; text?: string }>)
            .filter((part) => part.type === "text")
            .map((part) => part.text ?? ""),
    )
    .join("\n");
}

function userParts(body: Record<string, any>, key: "messages" | "contents"): Array<Record<string, any>> {
  return (body[key] as Array<Record<string, any>>)
    .filter((message) => message.role === "user")
    .flatMap((message) => (key === "contents" ? message.parts : Array.isArray(message.content) ? message.content : []));
}

// https://platform.openai.com/docs/api-reference/chat/object and /docs/guides/error-codes
const OPENAI_ERRORS: Record<ProviderFailure, unknown> = {
  401: {
    error: {
      message:
        "Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.",
      type: "invalid_request_error",
      param: null,
      code: "invalid_api_key",
    },
  },
  429: {
    error: {
      message: "Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3, Requested 1.",
      type: "requests",
      param: null,
      code: "rate_limit_exceeded",
    },
  },
  500: {
    error: {
      message: "The server had an error while processing your request. Sorry about that!",
      type: "server_error",
      param: null,
      code: null,
    },
  },
};

function openAiHarness(id: "openai" | "openai-compatible"): LlmProviderHarness<HttpCall> {
  return {
    modelSetting: id === "openai" ? "gpt-4o-mini" : "ollama/llama3.2-vision",
    make(answers) {
      const api = fakeApi(
        answers,
        (answer, body) => ({
          id: "chatcmpl-1",
          object: "chat.completion",
          created: 1_764_000_000,
          model: answer.model,
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: answer.text, refusal: null },
              logprobs: null,
              finish_reason: "stop",
            },
          ],
          ...(answer.usage && {
            usage: {
              prompt_tokens: answer.usage.inputTokens,
              completion_tokens: answer.usage.outputTokens,
              total_tokens: answer.usage.inputTokens + answer.usage.outputTokens,
              prompt_tokens_details: { cached_tokens: answer.usage.cachedInputTokens, audio_tokens: 0 },
              completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
            },
          }),
          system_fingerprint: `fp_${String(body.model).length}`,
        }),
        (status) => OPENAI_ERRORS[status],
      );
      const provider = new OpenAiChatProvider({
        id,
        name: id === "openai" ? "OpenAI" : "OpenAI-compatible server (localhost:11434)",
        apiKey: "sk-test",
        ...(id === "openai" ? {} : { baseUrl: "http://localhost:11434/v1" }),
        fetch: api.fetch,
        timeoutMs: 5_000,
        maxRetries: RETRIES,
      });
      return { provider, calls: api.calls };
    },
    read: {
      model: (call) => call.body.model,
      // OpenAI's own API takes max_completion_tokens (its reasoning models reject max_tokens); servers that copy
      // the API know the older max_tokens.
      maxTokens: (call) => (id === "openai" ? call.body.max_completion_tokens : call.body.max_tokens),
      system: (call) => call.body.messages.find((message: { role: string }) => message.role === "system")?.content,
      userText: (call) => partsText(call.body.messages),
      images: (call) =>
        userParts(call.body, "messages")
          .filter((part) => part.type === "image_url")
          .map((part): SentImage => {
            const match = /^data:([^;]+);base64,(.*)$/.exec(part.image_url.url as string);
            return { mediaType: match?.[1] ?? "not a data URL", base64: match?.[2] ?? "" };
          }),
    },
    reportsModel: true,
    reportsCachedTokens: true,
  };
}

// https://docs.anthropic.com/en/api/messages and /en/api/errors
const ANTHROPIC_ERRORS: Record<ProviderFailure, unknown> = {
  401: { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" }, request_id: "req_1" },
  429: {
    type: "error",
    error: { type: "rate_limit_error", message: "Number of request tokens has exceeded your per-minute rate limit" },
    request_id: "req_2",
  },
  500: { type: "error", error: { type: "api_error", message: "Internal server error" }, request_id: "req_3" },
};

const anthropicHarness: LlmProviderHarness<HttpCall> = {
  modelSetting: "claude-haiku-4-5",
  make(answers) {
    const api = fakeApi(
      answers,
      (answer) => {
        // Anthropic's input_tokens leaves out the tokens read from and written to the prompt cache.
        const cacheWrite = answer.usage ? Math.min(50, answer.usage.inputTokens - answer.usage.cachedInputTokens) : 0;
        return {
          id: "msg_01",
          type: "message",
          role: "assistant",
          model: answer.model,
          content: [{ type: "text", text: answer.text }],
          stop_reason: "end_turn",
          stop_sequence: null,
          ...(answer.usage && {
            usage: {
              input_tokens: answer.usage.inputTokens - answer.usage.cachedInputTokens - cacheWrite,
              cache_creation_input_tokens: cacheWrite,
              cache_read_input_tokens: answer.usage.cachedInputTokens,
              output_tokens: answer.usage.outputTokens,
            },
          }),
        };
      },
      (status) => ANTHROPIC_ERRORS[status],
    );
    const provider = new AnthropicProvider({
      apiKey: "sk-ant-test",
      fetch: api.fetch,
      timeoutMs: 5_000,
      maxRetries: RETRIES,
    });
    return { provider, calls: api.calls };
  },
  read: {
    model: (call) => call.body.model,
    maxTokens: (call) => call.body.max_tokens,
    system: (call) => call.body.system,
    userText: (call) => partsText(call.body.messages),
    images: (call) =>
      userParts(call.body, "messages")
        .filter((part) => part.type === "image" && part.source?.type === "base64")
        .map((part) => ({ mediaType: part.source.media_type, base64: part.source.data })),
  },
  reportsModel: true,
  reportsCachedTokens: true,
};

// https://ai.google.dev/api/generate-content and Google's API error model (google.rpc.Status).
const GEMINI_ERRORS: Record<ProviderFailure, unknown> = {
  401: {
    error: {
      code: 401,
      message: "Request had invalid authentication credentials.",
      status: "UNAUTHENTICATED",
    },
  },
  429: {
    error: {
      code: 429,
      message: "You exceeded your current quota, please check your plan and billing details.",
      status: "RESOURCE_EXHAUSTED",
    },
  },
  500: {
    error: {
      code: 500,
      message:
        "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
      status: "INTERNAL",
    },
  },
};

const geminiHarness: LlmProviderHarness<HttpCall> = {
  modelSetting: "gemini/gemini-2.5-flash",
  make(answers) {
    const api = fakeApi(
      answers,
      (answer) => {
        // Thinking tokens are reported apart from the candidates' and billed as output.
        const thoughts = answer.usage ? Math.min(45, answer.usage.outputTokens) : 0;
        return {
          candidates: [
            {
              content: { role: "model", parts: [{ text: "Thinking it over.", thought: true }, { text: answer.text }] },
              finishReason: "STOP",
              index: 0,
            },
          ],
          ...(answer.usage && {
            usageMetadata: {
              promptTokenCount: answer.usage.inputTokens,
              cachedContentTokenCount: answer.usage.cachedInputTokens,
              candidatesTokenCount: answer.usage.outputTokens - thoughts,
              thoughtsTokenCount: thoughts,
              totalTokenCount: answer.usage.inputTokens + answer.usage.outputTokens,
            },
          }),
          modelVersion: answer.model,
          responseId: "resp-1",
        };
      },
      (status) => GEMINI_ERRORS[status],
    );
    const provider = new GeminiProvider({
      apiKey: "gemini-test",
      fetch: api.fetch,
      timeoutMs: 5_000,
      retry: { maxRetries: RETRIES, baseDelayMs: 1 },
    });
    return { provider, calls: api.calls };
  },
  read: {
    model: (call) => /\/models\/([^/:]+):generateContent$/.exec(new URL(call.url).pathname)?.[1],
    maxTokens: (call) => call.body.generationConfig?.maxOutputTokens,
    system: (call) => call.body.systemInstruction?.parts?.map((part: { text: string }) => part.text).join(""),
    userText: (call) =>
      userParts(call.body, "contents")
        .filter((part) => typeof part.text === "string")
        .map((part) => part.text)
        .join("\n"),
    images: (call) =>
      userParts(call.body, "contents")
        .filter((part) => part.inline_data)
        .map((part) => ({ mediaType: part.inline_data.mime_type, base64: part.inline_data.data })),
  },
  reportsModel: true,
  reportsCachedTokens: true,
};

interface BindingCall {
  model: string;
  input: Parameters<WorkersAiTextBinding["run"]>[1];
}

/**
 * What `env.AI.run` throws (workerd's ai-api: an InferenceUpstreamError whose message is "<internal code>:
 * <description>" from the error table at developers.cloudflare.com/workers-ai/platform/errors/, or the raw body
 * when it has no internal code). The binding has no API key, so its refused-credential case is "Account blocked".
 */
const WORKERS_AI_ERRORS: Record<ProviderFailure, string> = {
  401: "3023: Service unavailable for account",
  429: "3040: Capacity temporarily exceeded, please try again.",
  500: "Internal Server Error",
};

class InferenceUpstreamError extends Error {
  override name = "InferenceUpstreamError";
}

const workersAiHarness: LlmProviderHarness<BindingCall> = {
  modelSetting: "@cf/meta/llama-3.2-11b-vision-instruct",
  make(answers) {
    const calls: BindingCall[] = [];
    const ai: WorkersAiTextBinding = {
      async run(model, input) {
        calls.push({ model, input });
        const answer = answers.shift();
        if (!answer) throw new Error(`unscripted call to ${model}`);
        if (answer.kind === "failure") throw new InferenceUpstreamError(WORKERS_AI_ERRORS[answer.status]);
        // Text-generation models' documented output: { response, usage? }.
        return {
          response: answer.text,
          ...(answer.usage && {
            usage: {
              prompt_tokens: answer.usage.inputTokens,
              completion_tokens: answer.usage.outputTokens,
              total_tokens: answer.usage.inputTokens + answer.usage.outputTokens,
            },
          }),
        };
      },
    };
    return { provider: new WorkersAiTextProvider(ai, { maxRetries: RETRIES, baseDelayMs: 1 }), calls };
  },
  read: {
    model: (call) => call.model,
    maxTokens: (call) => call.input.max_tokens,
    system: (call) => call.input.messages.find((message) => message.role === "system")?.content,
    userText: (call) => partsText(call.input.messages),
    // Vision models take one image's bytes beside the messages.
    images: (call) =>
      call.input.image ? [{ mediaType: null, base64: toBase64(new Uint8Array(call.input.image)) }] : [],
  },
  reportsModel: false,
  reportsCachedTokens: false,
  // The binding throws plain errors without an HTTP status; the adapter guesses one from the message.
  failureDifferences: {
    401: { status: 400, retried: false, why: "the binding gives no status; a refusal is reported as 400" },
    429: { status: 503, retried: true, why: "capacity errors are reported as 503" },
    500: { status: 400, retried: false, why: "a body without an internal code is not recognised as a fault" },
  },
};

llmProviderContract("OpenAiChatProvider (OpenAI, intercepted fetch)", openAiHarness("openai"));
llmProviderContract(
  "OpenAiChatProvider (OpenAI-compatible server, intercepted fetch)",
  openAiHarness("openai-compatible"),
);
llmProviderContract("AnthropicProvider (intercepted fetch)", anthropicHarness);
llmProviderContract("GeminiProvider (intercepted fetch)", geminiHarness);
llmProviderContract("WorkersAiTextProvider (fake AI binding)", workersAiHarness);

describe("WorkersAiTextProvider: the binding's error codes", () => {
  // Regression: "5\d\d" also matched Workers AI's four-digit 5xxx codes, so a permanent refusal was retried as a 503.
  it.each([
    ["5007: No such model @cf/none/such", 400, 1],
    ["5018: This account is not allowed to access this model", 400, 1],
    ["3040: Capacity temporarily exceeded, please try again.", 503, 1 + RETRIES],
    ["upstream answered 502 Bad Gateway", 503, 1 + RETRIES],
  ])("%s → %i after %i call(s)", async (message, status, calls) => {
    let made = 0;
    const ai: WorkersAiTextBinding = {
      async run() {
        made += 1;
        throw new InferenceUpstreamError(message);
      },
    };
    const provider = new WorkersAiTextProvider(ai, { maxRetries: RETRIES, baseDelayMs: 1 });
    await expect(
      provider.complete({
        model: "@cf/meta/llama-3.1-8b-instruct",
        messages: [{ role: "user", content: "hi" }],
        maxOutputTokens: 8,
      }),
    ).rejects.toMatchObject({ status });
    expect(made).toBe(calls);
  });
});
