import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/core/app-error";
import { LlmGateway, type LlmPolicy } from "../../src/domain/llm/gateway";
import { resolveModel } from "../../src/domain/llm/models";
import {
  LlmProviderError,
  type CostLedger,
  type LlmProvider,
  type LlmRequest,
  type LlmUsage,
  type PriceBook,
} from "../../src/domain/llm/types";

/** The failures every provider documents: a refused credential, a rate limit, a fault of its own (HTTP status). */
export const PROVIDER_FAILURES = [401, 429, 500] as const;
export type ProviderFailure = (typeof PROVIDER_FAILURES)[number];

/** What the fake provider answers, in our terms; each harness writes it in its provider's documented shape. */
export type ScriptedAnswer =
  | { kind: "completion"; text: string; model: string; usage: LlmUsage | null }
  | { kind: "failure"; status: ProviderFailure };

export interface SentImage {
  base64: string;
  /** Null where the provider's format carries raw bytes and no media type. */
  mediaType: string | null;
}

/** How the adapter's failure differs from the HTTP rule (status as sent, 429 and 5xx retried), and why. */
export interface FailureDifference {
  status: number | null;
  retried: boolean;
  why: string;
}

/**
 * One adapter wired to a fake of its provider (intercepted `fetch`, or a fake binding) that answers in the
 * provider's documented shapes, so the adapter's real code (and its SDK's) runs. `Call` is what the fake records.
 */
export interface LlmProviderHarness<Call> {
  /** A model setting (CODING_MEMORY_MODEL syntax) that the gateway routes to this adapter. */
  modelSetting: string;
  /** Builds the adapter with one retry and near-zero backoff; call n is answered with `answers[n]`. */
  make(answers: ScriptedAnswer[]): { provider: LlmProvider; calls: Call[] };
  /** Reads each field of a recorded request from where the provider's API documents it. */
  read: {
    model(call: Call): string | undefined;
    maxTokens(call: Call): number | undefined;
    system(call: Call): string | undefined;
    /** Every text part of the user messages, joined. */
    userText(call: Call): string;
    images(call: Call): SentImage[];
  };
  /** False where the provider's answer names no model (the adapter then reports the one requested). */
  reportsModel: boolean;
  /** False where the provider's answer has no count of cached prompt tokens. */
  reportsCachedTokens: boolean;
  /** Where this adapter maps a failure otherwise than the HTTP rule; recorded here, not hidden. */
  failureDifferences?: Partial<Record<ProviderFailure, FailureDifference>>;
}

// A 1×1 PNG.
export const PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

const USAGE: LlmUsage = { inputTokens: 1200, cachedInputTokens: 200, outputTokens: 345 };

function completion(usage: LlmUsage | null = USAGE): ScriptedAnswer {
  return { kind: "completion", text: "The session fixed the flaky test.", model: "answering-model-2026", usage };
}

/** A gateway with nothing but the provider in it: no budget, no approval, free prices, a ledger that keeps nothing. */
function gatewayOver(provider: LlmProvider): LlmGateway {
  const prices: PriceBook = { price: () => ({ nanoUsd: 0, known: true, source: "contract" }) };
  const ledger: CostLedger = {
    reserve: async () => true,
    settle: async () => undefined,
    note: async () => undefined,
    monthSpend: async () => 0,
    report: async () => {
      throw new Error("not used by the contract");
    },
  };
  return new LlmGateway(() => provider, prices, ledger, { now: () => Date.now(), newId: () => crypto.randomUUID() });
}

export function llmProviderContract<Call>(name: string, harness: LlmProviderHarness<Call>): void {
  const { model } = resolveModel(harness.modelSetting);
  const textRequest: LlmRequest = {
    model,
    system: "You summarise coding sessions.",
    messages: [{ role: "user", content: "Summarise: fixed the flaky date test." }],
    maxOutputTokens: 321,
    temperature: 0.2,
  };
  const policy: LlmPolicy = {
    model: harness.modelSetting,
    autoApprove: true,
    costThresholdUsd: 1_000,
    maxMonthlyBudgetUsd: null,
    warnAtPercentage: 80,
  };
  const expectedUsage = harness.reportsCachedTokens ? USAGE : { ...USAGE, cachedInputTokens: 0 };

  describe(`LlmProvider contract: ${name}`, () => {
    it("returns the completion's text and the usage the provider reported", async () => {
      const { provider } = harness.make([completion()]);
      const response = await provider.complete(textRequest);
      expect(response.text).toBe("The session fixed the flaky test.");
      expect(response.usage).toEqual(expectedUsage);
      expect(response.usageReported).toBe(true);
      expect(response.model).toBe(harness.reportsModel ? "answering-model-2026" : model);
    });

    it("sends the model, the system prompt, the text and max_tokens where the API documents them", async () => {
      const { provider, calls } = harness.make([completion()]);
      await provider.complete(textRequest);
      expect(calls).toHaveLength(1);
      const [call] = calls as [Call];
      expect(harness.read.model(call)).toBe(model);
      expect(harness.read.maxTokens(call)).toBe(321);
      expect(harness.read.system(call)).toBe("You summarise coding sessions.");
      expect(harness.read.userText(call)).toBe("Summarise: fixed the flaky date test.");
      expect(harness.read.images(call)).toEqual([]);
    });

    it("sends an image in the provider's documented format", async () => {
      const { provider, calls } = harness.make([completion()]);
      await provider.complete({
        model,
        maxOutputTokens: 300,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What error does this screenshot show?" },
              { type: "image", mediaType: "image/png", base64: PNG_BASE64 },
            ],
          },
        ],
      });
      const [call] = calls as [Call];
      expect(harness.read.userText(call)).toContain("What error does this screenshot show?");
      const images = harness.read.images(call);
      expect(images.map((image) => image.base64)).toEqual([PNG_BASE64]);
      for (const image of images) if (image.mediaType !== null) expect(image.mediaType).toBe("image/png");
    });

    it("reports a missing usage as missing (the gateway then bills the reserved worst case)", async () => {
      const { provider } = harness.make([completion(null)]);
      const response = await provider.complete(textRequest);
      expect(response.text).toBe("The session fixed the flaky test.");
      expect(response.usageReported).toBe(false);
      expect(response.usage).toEqual({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 });
    });

    for (const status of PROVIDER_FAILURES) {
      const difference = harness.failureDifferences?.[status];
      const expected = difference ?? { status, retried: status === 429 || status >= 500 };
      it(`maps a ${status} to an "unavailable" AppError naming the provider${difference ? ` (differs: ${difference.why})` : ""}`, async () => {
        const { provider, calls } = harness.make([
          { kind: "failure", status },
          { kind: "failure", status },
        ]);
        const failure = await gatewayOver(provider)
          .run({ projectId: "p", userId: "u", sessionId: null, operation: "session_summary" }, policy, textRequest, {
            approved: true,
          })
          .catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(AppError);
        expect((failure as AppError).code).toBe("unavailable");
        expect((failure as AppError).message).toContain(`The LLM provider failed: ${provider.name}: `);
        expect((failure as AppError).details).toEqual({ provider: provider.name, model, status: expected.status });
        const cause = (failure as AppError).cause;
        expect(cause).toBeInstanceOf(LlmProviderError);
        expect((cause as LlmProviderError).provider).toBe(provider.name);
        expect((cause as LlmProviderError).status).toBe(expected.status);
        expect(calls).toHaveLength(expected.retried ? 2 : 1);
      });

      if (expected.retried) {
        it(`retries a ${status} and returns the completion that follows`, async () => {
          const { provider, calls } = harness.make([{ kind: "failure", status }, completion()]);
          const response = await provider.complete(textRequest);
          expect(response.text).toBe("The session fixed the flaky test.");
          expect(response.usage).toEqual(expectedUsage);
          expect(calls).toHaveLength(2);
        });
      }
    }
  });
}
