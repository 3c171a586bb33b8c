import { AppError } from "../domain/core/app-error";
import type { Embedder } from "../domain/vectors/ports";
import { l2normalize } from "../domain/vectors/ports";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface OpenAiCompatibleEmbedderOptions {
  /** e.g. `https://api.openai.com/v1`; `/embeddings` is appended. */
  baseUrl: string;
  model: string;
  dimensions: number;
  apiKey?: string;
  /** Passed in rather than taken from the global so tests and the composition root decide how to reach the network. */
  fetch: FetchLike;
  /** Named in error messages; defaults to the base URL's host. */
  providerName?: string;
  maxBatchSize?: number;
  /** Wait before the single retry of a 429 or 5xx. */
  retryDelayMs?: number;
}

interface EmbeddingsResponse {
  data: Array<{ embedding: number[]; index: number }>;
}

/** `POST {baseUrl}/embeddings` as defined by OpenAI and copied by most hosted and self-hosted model servers. */
export class OpenAiCompatibleEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly url: string;
  private readonly provider: string;
  readonly maxBatchSize: number;
  private readonly retryDelayMs: number;

  constructor(private readonly options: OpenAiCompatibleEmbedderOptions) {
    const baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.url = `${baseUrl}/embeddings`;
    this.dimensions = options.dimensions;
    this.provider = options.providerName ?? new URL(baseUrl).host;
    this.maxBatchSize = options.maxBatchSize ?? 100;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.id = `openai-compatible:${this.provider}:${options.model}`;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.maxBatchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.maxBatchSize))));
    }
    return vectors;
  }

  private async embedBatch(batch: string[]): Promise<Float32Array[]> {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (this.options.apiKey) headers.Authorization = `Bearer ${this.options.apiKey}`;
    const init: RequestInit = {
      method: "POST",
      headers,
      body: JSON.stringify({ model: this.options.model, input: batch }),
    };
    let response = await this.send(init);
    // Rate limits and server errors are usually transient; one retry absorbs a blip without hiding an outage.
    if (isRetryable(response.status)) {
      await response.body?.cancel();
      if (this.retryDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
      response = await this.send(init);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new AppError("internal", `${this.provider} embeddings request failed with HTTP ${response.status}.`, {
        details: { provider: this.provider, status: response.status, model: this.options.model },
      });
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      throw this.malformed("the body is not JSON", cause);
    }
    return this.parse(body, batch.length);
  }

  private async send(init: RequestInit): Promise<Response> {
    try {
      return await this.options.fetch(this.url, init);
    } catch (cause) {
      throw new AppError("internal", `${this.provider} embeddings request failed: network error.`, {
        details: { provider: this.provider, model: this.options.model },
        cause,
      });
    }
  }

  private parse(body: unknown, expected: number): Float32Array[] {
    const data = (body as Partial<EmbeddingsResponse> | null)?.data;
    if (!Array.isArray(data) || data.length !== expected) {
      throw this.malformed(`expected ${expected} embeddings, got ${Array.isArray(data) ? data.length : "none"}`);
    }
    const vectors = new Array<Float32Array | undefined>(expected);
    for (const item of data as unknown[]) {
      const { embedding, index } = (item ?? {}) as { embedding?: unknown; index?: unknown };
      if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= expected || vectors[index]) {
        throw this.malformed(`bad or repeated index ${String(index)}`);
      }
      if (!Array.isArray(embedding) || embedding.length !== this.dimensions) {
        throw this.malformed(
          `expected ${this.dimensions} dimensions, got ${Array.isArray(embedding) ? embedding.length : "none"}`,
        );
      }
      if (!embedding.every((value: unknown) => typeof value === "number" && Number.isFinite(value))) {
        throw this.malformed("an embedding contains a non-numeric value");
      }
      vectors[index] = l2normalize(embedding as number[]);
    }
    // Every index in [0, expected) was filled exactly once: the count matched and repeats were rejected.
    return vectors as Float32Array[];
  }

  private malformed(reason: string, cause?: unknown): AppError {
    return new AppError("internal", `${this.provider} returned malformed embeddings: ${reason}.`, {
      details: { provider: this.provider, model: this.options.model },
      cause,
    });
  }
}

function isRetryable(status: number): boolean {
  return status === 429 || status >= 500;
}
