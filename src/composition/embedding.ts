/**
 * Which embedder, vector index and reranker the configuration names (EMBEDDING_*, RERANKER_*, the VECTORIZE
 * binding). Read lazily, so a misconfiguration fails only the calls that embed or rerank, naming the variable to fix.
 */
import { DurableObjectVectorIndex } from "../adapters/durable-object-vector-index";
import { OpenAiCompatibleEmbedder } from "../adapters/openai-compatible-embedder";
import { VectorizeIndex } from "../adapters/vectorize-index";
import { WorkersAiEmbedder } from "../adapters/workers-ai-embedder";
import { DEFAULT_WORKERS_AI_RERANKER, WorkersAiReranker } from "../adapters/workers-ai-reranker";
import { AppError } from "../domain/core/app-error";
import { HashingEmbedder } from "../domain/vectors/hash-embedder";
import type { Embedder, Reranker, VectorIndex } from "../domain/vectors/ports";
import type { Env } from "./env";

/** Vectorize when the binding exists (production); otherwise the local index, for `wrangler dev` and tests. */
export function vectorIndexFromEnv(env: Env): VectorIndex {
  // "indexed" metadata allows topK up to 100; it needs the metadata indexes made before any vector is inserted
  // (see wrangler.toml).
  return env.VECTORIZE ? new VectorizeIndex(env.VECTORIZE, { returnMetadata: "indexed" }) : localVectorIndex(env);
}

/** The vector index used when Vectorize is not bound. */
export function localVectorIndex(env: Env): VectorIndex {
  return new DurableObjectVectorIndex(env.PROJECT_VECTORS);
}

export const EMBEDDING_PROVIDERS = ["local", "workers-ai", "openai"] as const;
export const DEFAULT_WORKERS_AI_MODEL = "@cf/baai/bge-base-en-v1.5";
/**
 * Output sizes of the Workers AI text embedding models, so EMBEDDING_DIMENSIONS can be left out for them (model
 * cards: BGE v1.5 small/base/large, bge-m3 1024, EmbeddingGemma 768, its full Matryoshka size).
 */
export const WORKERS_AI_DIMENSIONS: Readonly<Record<string, number>> = {
  "@cf/baai/bge-small-en-v1.5": 384,
  "@cf/baai/bge-base-en-v1.5": 768,
  "@cf/baai/bge-large-en-v1.5": 1024,
  "@cf/baai/bge-m3": 1024,
  "@cf/google/embeddinggemma-300m": 768,
};

/** The Workers AI binding a provider setting of "workers-ai" needs, or an AppError saying how to add it. */
function aiBinding(env: Env, setting: "EMBEDDING_PROVIDER" | "RERANKER_PROVIDER"): NonNullable<Env["AI"]> {
  if (env.AI) return env.AI;
  throw configError(
    "AI",
    `${setting} is "workers-ai" but the AI binding is missing: add \`[ai] binding = "AI"\` to wrangler.toml.`,
  );
}

/** The embedder the configuration names; a misconfiguration is an AppError naming the variable to fix. */
export function embedderFromEnv(env: Env): Embedder {
  const provider = env.EMBEDDING_PROVIDER?.trim() || "local";
  switch (provider) {
    case "local": {
      const dimensions = optionalDimensions(env);
      return new HashingEmbedder(dimensions === undefined ? {} : { dimensions });
    }
    case "workers-ai": {
      const ai = aiBinding(env, "EMBEDDING_PROVIDER");
      const model = env.EMBEDDING_MODEL?.trim() || DEFAULT_WORKERS_AI_MODEL;
      const dimensions = optionalDimensions(env) ?? WORKERS_AI_DIMENSIONS[model];
      if (dimensions === undefined) {
        throw configError(
          "EMBEDDING_DIMENSIONS",
          `EMBEDDING_DIMENSIONS is required for the Workers AI model ${model} (its vector length is not known here).`,
        );
      }
      return new WorkersAiEmbedder(ai, { model, dimensions });
    }
    case "openai": {
      const baseUrl = env.EMBEDDING_BASE_URL?.trim();
      if (!baseUrl) {
        throw configError(
          "EMBEDDING_BASE_URL",
          'EMBEDDING_BASE_URL is required when EMBEDDING_PROVIDER is "openai", e.g. https://api.openai.com/v1.',
        );
      }
      if (!/^https?:\/\//.test(baseUrl) || !URL.canParse(baseUrl)) {
        throw configError("EMBEDDING_BASE_URL", `EMBEDDING_BASE_URL must be an http(s) URL; got "${baseUrl}".`);
      }
      const model = env.EMBEDDING_MODEL?.trim();
      if (!model) {
        throw configError(
          "EMBEDDING_MODEL",
          'EMBEDDING_MODEL is required when EMBEDDING_PROVIDER is "openai", e.g. text-embedding-3-small.',
        );
      }
      const dimensions = optionalDimensions(env);
      if (dimensions === undefined) {
        throw configError(
          "EMBEDDING_DIMENSIONS",
          `EMBEDDING_DIMENSIONS is required when EMBEDDING_PROVIDER is "openai" (the vector length of ${model}).`,
        );
      }
      return new OpenAiCompatibleEmbedder({
        baseUrl,
        model,
        dimensions,
        ...(env.EMBEDDING_API_KEY ? { apiKey: env.EMBEDDING_API_KEY } : {}),
        fetch: (input, init) => fetch(input, init),
      });
    }
    default:
      throw configError(
        "EMBEDDING_PROVIDER",
        `EMBEDDING_PROVIDER "${provider}" is not one of ${EMBEDDING_PROVIDERS.join(", ")}.`,
      );
  }
}

export const RERANKER_PROVIDERS = ["off", "workers-ai"] as const;

/**
 * The reranker the configuration names (RERANKER_PROVIDER, RERANKER_MODEL), or null when reranking is off (the
 * default). A misconfiguration is an AppError naming the variable to fix; call this where reranking happens, not
 * while building every request's services, so that error fails only the searches that rerank.
 */
export function rerankerFromEnv(env: Env): Reranker | null {
  const provider = env.RERANKER_PROVIDER?.trim() || "off";
  switch (provider) {
    case "off":
      return null;
    case "workers-ai": {
      const ai = aiBinding(env, "RERANKER_PROVIDER");
      const model = env.RERANKER_MODEL?.trim() || DEFAULT_WORKERS_AI_RERANKER;
      return new WorkersAiReranker(ai, { model });
    }
    default:
      throw configError(
        "RERANKER_PROVIDER",
        `RERANKER_PROVIDER "${provider}" is not one of ${RERANKER_PROVIDERS.join(", ")}.`,
      );
  }
}

/** EMBEDDING_MIN_SIMILARITY: the cosine a vector-only match must reach; calibrate it for a learned model. */
export function minSimilarityFromEnv(env: Env): number | undefined {
  const raw = env.EMBEDDING_MIN_SIMILARITY?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < -1 || value > 1) {
    throw configError(
      "EMBEDDING_MIN_SIMILARITY",
      `EMBEDDING_MIN_SIMILARITY must be a number from -1 to 1; got "${raw}".`,
    );
  }
  return value;
}

function optionalDimensions(env: Env): number | undefined {
  const raw = env.EMBEDDING_DIMENSIONS?.trim();
  if (!raw) return undefined;
  const dimensions = Number(raw);
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    throw configError("EMBEDDING_DIMENSIONS", `EMBEDDING_DIMENSIONS must be a positive integer; got "${raw}".`);
  }
  return dimensions;
}

function configError(variable: string, message: string): AppError {
  return new AppError("internal", `Server misconfigured: ${message}`, { details: { variable } });
}

/**
 * Defers reading the embedding configuration until something needs the embedder. Services are built for every
 * request, and most requests (recording, listing) never embed; a misconfiguration then fails only the calls
 * that do, each time with the variable to fix, instead of every request.
 */
export class LazyEmbedder implements Embedder {
  private resolved: Embedder | undefined;
  private minSimilarityOverride: { value: number | undefined } | undefined;

  constructor(
    private readonly create: () => Embedder,
    /** A configured noise floor that replaces the model's own (see `Embedder.minSimilarity`). */
    private readonly readMinSimilarity?: () => number | undefined,
  ) {}

  private get target(): Embedder {
    this.resolved ??= this.create();
    return this.resolved;
  }
  get id(): string {
    return this.target.id;
  }
  get dimensions(): number {
    return this.target.dimensions;
  }
  get maxBatchSize(): number | undefined {
    return this.target.maxBatchSize;
  }
  get minSimilarity(): number | undefined {
    this.minSimilarityOverride ??= { value: this.readMinSimilarity?.() };
    return this.minSimilarityOverride.value ?? this.target.minSimilarity;
  }
  embed(texts: string[]): Promise<Float32Array[]> {
    return this.target.embed(texts);
  }
}
