import { LlmProviderError } from "../../domain/llm/types";

export interface RetryOptions {
  /** Attempts after the first; default 2. */
  maxRetries: number;
  /** First backoff; doubled per attempt, with jitter. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxRetries: 2, baseDelayMs: 500 };

/** 429 and 5xx are worth another try; other errors (bad key, bad request) are not. */
export function retryable(error: unknown): boolean {
  if (!(error instanceof LlmProviderError)) return false;
  return error.status === null || error.status === 429 || error.status >= 500;
}

/** Runs `attempt` until it succeeds or fails with a non-retryable error or the retries run out. */
export async function withRetries<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let tries = 0; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= options.maxRetries || !retryable(error)) throw error;
      const delay = options.baseDelayMs * 2 ** tries * (0.75 + Math.random() * 0.5);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * An SDK's failure as an `LlmProviderError`: its HTTP status when the SDK's API error carries one (both the
 * openai and Anthropic SDKs put it on `status`), else null (network error, timeout).
 */
export function sdkFailure(
  provider: string,
  error: unknown,
  isApiError: (error: unknown) => boolean,
): LlmProviderError {
  const status = isApiError(error) ? ((error as { status?: number }).status ?? null) : null;
  return new LlmProviderError(provider, error instanceof Error ? error.message : String(error), status, {
    cause: error,
  });
}
