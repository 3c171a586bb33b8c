import { describe, expect, it } from "vitest";
import { WorkersAiReranker } from "../../src/adapters/workers-ai-reranker";
import { embedderFromEnv, rerankerFromEnv } from "../../src/composition/embedding";
import type { Env } from "../../src/composition/env";
import { AppError } from "../../src/domain/core/app-error";

/** Only the variables these readers look at; the bindings they do not touch are left out. */
function env(vars: Partial<Env>): Env {
  return vars as Env;
}

const ai = {
  run: async () => ({ response: [] }),
} as unknown as NonNullable<Env["AI"]>;

function configFailure(read: () => unknown): AppError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected a configuration error");
}

describe("rerankerFromEnv", () => {
  it("is off (null) by default, when blank, and when set to off, even without the AI binding", () => {
    expect(rerankerFromEnv(env({}))).toBeNull();
    expect(rerankerFromEnv(env({ RERANKER_PROVIDER: "  " }))).toBeNull();
    expect(rerankerFromEnv(env({ RERANKER_PROVIDER: "off", AI: ai }))).toBeNull();
  });

  it("builds the Workers AI reranker with bge-reranker-base unless RERANKER_MODEL names another", () => {
    const reranker = rerankerFromEnv(env({ RERANKER_PROVIDER: "workers-ai", AI: ai }));
    expect(reranker).toBeInstanceOf(WorkersAiReranker);
    expect(reranker?.id).toBe("workers-ai:@cf/baai/bge-reranker-base");
    const named = rerankerFromEnv(
      env({ RERANKER_PROVIDER: " workers-ai ", RERANKER_MODEL: " @cf/baai/bge-reranker-v2-m3 ", AI: ai }),
    );
    expect(named?.id).toBe("workers-ai:@cf/baai/bge-reranker-v2-m3");
  });

  it("names the AI binding when workers-ai is chosen without it", () => {
    const failure = configFailure(() => rerankerFromEnv(env({ RERANKER_PROVIDER: "workers-ai" })));
    expect(failure.code).toBe("internal");
    expect(failure.details).toEqual({ variable: "AI" });
    expect(failure.message).toMatch(/RERANKER_PROVIDER is "workers-ai" but the AI binding is missing/);
  });

  it("names RERANKER_PROVIDER when it is not a known provider", () => {
    const failure = configFailure(() => rerankerFromEnv(env({ RERANKER_PROVIDER: "cohere", AI: ai })));
    expect(failure.details).toEqual({ variable: "RERANKER_PROVIDER" });
    expect(failure.message).toMatch(/"cohere" is not one of off, workers-ai/);
  });
});

describe("embedderFromEnv with the newer Workers AI models", () => {
  it.each([
    ["@cf/google/embeddinggemma-300m", 768],
    ["@cf/baai/bge-m3", 1024],
    ["@cf/baai/bge-base-en-v1.5", 768],
  ])("knows the vector size of %s without EMBEDDING_DIMENSIONS", (model, dimensions) => {
    const embedder = embedderFromEnv(env({ EMBEDDING_PROVIDER: "workers-ai", EMBEDDING_MODEL: model, AI: ai }));
    expect(embedder.dimensions).toBe(dimensions);
    expect(embedder.id).toBe(`workers-ai:${model}`);
  });
});
