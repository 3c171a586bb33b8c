import { AppError } from "../domain/core/app-error";
import type { Embedder } from "../domain/vectors/ports";
import { l2normalize } from "../domain/vectors/ports";

/**
 * The part of the Workers AI binding (`env.AI`) this adapter uses. The text embedding models
 * (`@cf/baai/bge-{small,base,large}-en-v1.5`, `@cf/baai/bge-m3`, `@cf/google/embeddinggemma-300m`) take
 * `{ text: string[] }` (at most 100 texts, each at least one character) and answer
 * `{ shape: [n, dims], data: number[][] }`. bge-m3 documents two more answers: `{ response: number[][] }` (its
 * embeddings-for-contexts form) and `{ request_id }` (queued, asynchronous); the first is read like `data`, the
 * second is refused, since this adapter never queues.
 */
export interface WorkersAiBinding {
  run(model: string, input: { text: string[] }): Promise<WorkersAiEmbeddingOutput>;
}

export interface WorkersAiEmbeddingOutput {
  data?: number[][];
  response?: number[][];
  shape?: number[];
  pooling?: string;
  request_id?: string;
}

export interface WorkersAiEmbedderOptions {
  /** Defaults to `@cf/baai/bge-base-en-v1.5`. */
  model?: string;
  /** Output dimensions of `model`; 768 for bge-base-en-v1.5. */
  dimensions?: number;
  /** Texts per `run` call. */
  maxBatchSize?: number;
}

const PROVIDER = "Workers AI";

export class WorkersAiEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly model: string;
  readonly maxBatchSize: number;

  constructor(
    private readonly ai: WorkersAiBinding,
    options: WorkersAiEmbedderOptions = {},
  ) {
    this.model = options.model ?? "@cf/baai/bge-base-en-v1.5";
    this.dimensions = options.dimensions ?? 768;
    // Workers AI caps a text embedding batch at 100 inputs.
    this.maxBatchSize = Math.min(options.maxBatchSize ?? 100, 100);
    this.id = `workers-ai:${this.model}`;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.maxBatchSize) {
      const batch = texts.slice(start, start + this.maxBatchSize);
      let output: unknown;
      try {
        output = await this.ai.run(this.model, { text: batch });
      } catch (cause) {
        throw new AppError("internal", `${PROVIDER} embedding call failed for ${this.model}.`, {
          details: { provider: PROVIDER, model: this.model },
          cause,
        });
      }
      vectors.push(...this.parse(output, batch.length));
    }
    return vectors;
  }

  private parse(output: unknown, expected: number): Float32Array[] {
    const shaped = (output ?? {}) as { data?: unknown; response?: unknown; request_id?: unknown };
    if (shaped.data === undefined && shaped.response === undefined && typeof shaped.request_id === "string") {
      throw this.malformed("an asynchronous request id instead of embeddings");
    }
    const data = shaped.data ?? shaped.response;
    if (!Array.isArray(data) || data.length !== expected) {
      throw this.malformed(`expected ${expected} embeddings, got ${Array.isArray(data) ? data.length : "none"}`);
    }
    return data.map((row: unknown) => {
      if (!Array.isArray(row) || row.length !== this.dimensions) {
        throw this.malformed(`expected ${this.dimensions} dimensions, got ${Array.isArray(row) ? row.length : "none"}`);
      }
      if (!row.every((value: unknown) => typeof value === "number" && Number.isFinite(value))) {
        throw this.malformed("an embedding contains a non-numeric value");
      }
      // The port promises unit vectors; normalising here keeps that true whatever the model's pooling does.
      return l2normalize(row as number[]);
    });
  }

  private malformed(reason: string): AppError {
    return new AppError("internal", `${PROVIDER} returned malformed embeddings for ${this.model}: ${reason}.`, {
      details: { provider: PROVIDER, model: this.model },
    });
  }
}
