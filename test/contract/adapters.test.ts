import { describe, expect, it } from "vitest";
import { OpenAiCompatibleEmbedder } from "../../src/adapters/openai-compatible-embedder";
import { VectorizeIndex } from "../../src/adapters/vectorize-index";
import type { WorkersAiBinding } from "../../src/adapters/workers-ai-embedder";
import { WorkersAiEmbedder } from "../../src/adapters/workers-ai-embedder";
import { AppError } from "../../src/domain/core/app-error";
import { HashingEmbedder } from "../../src/domain/vectors/hash-embedder";
import { cosine } from "../../src/domain/vectors/ports";
import { FakeVectorize } from "../fakes/fake-vectorize";
import { embedderContract } from "./embedder.contract";
import { CONTRACT_DIMENSIONS, vectorIndexContract } from "./vector-index.contract";

/**
 * Deterministic stand-in for a learned model: the hashing embedding, scaled off unit length and shifted, so an
 * adapter that forgets to normalise the provider's output fails the contract.
 */
async function rawModelVector(text: string, dimensions: number): Promise<number[]> {
  const [vector] = await new HashingEmbedder({ dimensions }).embed([text]);
  return [...(vector ?? [])].map((value, index) => value * 3.5 + (index % 7) * 0.01);
}

/** A Workers AI binding answering like `@cf/baai/bge-base-en-v1.5`: `{ shape: [n, 768], data, pooling }`. */
function fakeAi(dimensions = 768): WorkersAiBinding & { calls: Array<{ model: string; size: number }> } {
  const calls: Array<{ model: string; size: number }> = [];
  return {
    calls,
    async run(model, input) {
      calls.push({ model, size: input.text.length });
      const data = await Promise.all(input.text.map((text) => rawModelVector(text, dimensions)));
      return { shape: [data.length, dimensions], data, pooling: "cls" } as { data: number[][]; shape: number[] };
    },
  };
}

interface RecordedRequest {
  url: string;
  init: RequestInit;
  body: { model: string; input: string[] };
}

/** An OpenAI `/v1/embeddings` server; `data` comes back in reverse order to prove the adapter sorts by index. */
function fakeOpenAi(dimensions: number, statuses: number[] = []) {
  const requests: RecordedRequest[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const body = JSON.parse(String(init.body)) as RecordedRequest["body"];
    requests.push({ url, init, body });
    const status = statuses.shift() ?? 200;
    if (status !== 200) {
      return Response.json({ error: { message: "try later", type: "server_error" } }, { status });
    }
    const data = await Promise.all(
      body.input.map(async (text, index) => ({
        object: "embedding",
        index,
        embedding: await rawModelVector(text, dimensions),
      })),
    );
    return Response.json({
      object: "list",
      data: data.reverse(),
      model: body.model,
      usage: { prompt_tokens: 12, total_tokens: 12 },
    });
  };
  return { fetch, requests };
}

embedderContract("HashingEmbedder", () => new HashingEmbedder());
embedderContract("WorkersAiEmbedder (fake AI binding)", () => new WorkersAiEmbedder(fakeAi()));
embedderContract(
  "OpenAiCompatibleEmbedder (fake fetch)",
  () =>
    new OpenAiCompatibleEmbedder({
      baseUrl: "https://api.openai.example/v1",
      model: "text-embedding-3-small",
      dimensions: 1536,
      apiKey: "sk-test",
      fetch: fakeOpenAi(1536).fetch,
      retryDelayMs: 0,
    }),
);

vectorIndexContract(
  "VectorizeIndex (fake Vectorize, returnMetadata all)",
  () => new VectorizeIndex(new FakeVectorize({ dimensions: CONTRACT_DIMENSIONS })),
);

describe("HashingEmbedder quality", () => {
  it("puts a paraphrase of an error closer than an unrelated error", async () => {
    const embedder = new HashingEmbedder();
    const [query, paraphrase, unrelated] = await embedder.embed([
      "TypeError: can't compare offset-naive and offset-aware datetimes",
      "comparing naive and aware datetime objects fails with TypeError",
      "ImportError: No module named requests",
    ]);
    const near = cosine(query!, paraphrase!);
    const far = cosine(query!, unrelated!);
    expect(near).toBeGreaterThan(far);
    expect(near - far).toBeGreaterThan(0.2);
  });

  it("embeds a text with nothing in it as the zero vector, similar to nothing", async () => {
    const vectors = await new HashingEmbedder({ dimensions: 16 }).embed(["", "  \n\t "]);
    for (const vector of vectors) expect([...vector].every((value) => value === 0)).toBe(true);
  });
});

describe("WorkersAiEmbedder", () => {
  it("calls the configured model in batches of at most 100 texts", async () => {
    const ai = fakeAi(32);
    const embedder = new WorkersAiEmbedder(ai, { model: "@cf/baai/bge-small-en-v1.5", dimensions: 32 });
    const texts = Array.from({ length: 250 }, (_unused, index) => `Error number ${index} in module m${index}`);
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(250);
    expect(ai.calls).toEqual([
      { model: "@cf/baai/bge-small-en-v1.5", size: 100 },
      { model: "@cf/baai/bge-small-en-v1.5", size: 100 },
      { model: "@cf/baai/bge-small-en-v1.5", size: 50 },
    ]);
    expect(embedder.id).toBe("workers-ai:@cf/baai/bge-small-en-v1.5");
    expect(await embedder.embed([])).toEqual([]);
    expect(ai.calls).toHaveLength(3);
  });

  it.each([
    ["no data", { shape: [1, 4] }],
    ["too few rows", { data: [], shape: [0, 4] }],
    ["wrong dimensions", { data: [[1, 2, 3]], shape: [1, 3] }],
    ["non-numeric values", { data: [[1, 2, "x", 4]], shape: [1, 4] }],
  ])("rejects malformed output (%s) with an AppError naming the provider", async (_case, output) => {
    const ai: WorkersAiBinding = { run: async () => output as unknown as { data: number[][] } };
    const embedder = new WorkersAiEmbedder(ai, { dimensions: 4 });
    const failure = await embedder.embed(["boom"]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe("internal");
    expect((failure as AppError).message).toMatch(/Workers AI/);
  });

  it("wraps a failing binding call in an AppError naming the provider", async () => {
    const ai: WorkersAiBinding = {
      run: async () => {
        throw new Error("3040: capacity exceeded");
      },
    };
    await expect(new WorkersAiEmbedder(ai).embed(["x"])).rejects.toThrow(/Workers AI/);
  });
});

describe("OpenAiCompatibleEmbedder", () => {
  it("posts {model, input} to {baseUrl}/embeddings with a bearer token and orders results by index", async () => {
    const server = fakeOpenAi(8);
    const embedder = new OpenAiCompatibleEmbedder({
      baseUrl: "https://llm.internal.example/v1/",
      model: "nomic-embed-text",
      dimensions: 8,
      apiKey: "sk-secret",
      fetch: server.fetch,
      retryDelayMs: 0,
    });
    const texts = ["first error", "second failure", "third exception"];
    const vectors = await embedder.embed(texts);

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.url).toBe("https://llm.internal.example/v1/embeddings");
    expect(request?.init.method).toBe("POST");
    const headers = new Headers(request?.init.headers);
    expect(headers.get("Authorization")).toBe("Bearer sk-secret");
    expect(headers.get("Content-Type")).toBe("application/json");
    expect(request?.body).toEqual({ model: "nomic-embed-text", input: texts });

    const expected = await new OpenAiCompatibleEmbedder({
      baseUrl: "https://llm.internal.example/v1",
      model: "nomic-embed-text",
      dimensions: 8,
      fetch: fakeOpenAi(8).fetch,
    }).embed(["second failure"]);
    expect(cosine(vectors[1]!, expected[0]!)).toBeCloseTo(1, 6);
  });

  it("sends no Authorization header without an api key and batches large inputs", async () => {
    const server = fakeOpenAi(4);
    const embedder = new OpenAiCompatibleEmbedder({
      baseUrl: "http://localhost:11434/v1",
      model: "all-minilm",
      dimensions: 4,
      fetch: server.fetch,
      maxBatchSize: 2,
    });
    expect(await embedder.embed(["a error", "b error", "c error"])).toHaveLength(3);
    expect(server.requests.map((request) => request.body.input)).toEqual([["a error", "b error"], ["c error"]]);
    expect(new Headers(server.requests[0]?.init.headers).has("Authorization")).toBe(false);
    expect(embedder.id).toBe("openai-compatible:localhost:11434:all-minilm");
  });

  it("retries once on 429 and on 5xx", async () => {
    for (const status of [429, 503]) {
      const server = fakeOpenAi(4, [status]);
      const embedder = new OpenAiCompatibleEmbedder({
        baseUrl: "https://api.example/v1",
        model: "m",
        dimensions: 4,
        fetch: server.fetch,
        retryDelayMs: 0,
      });
      expect(await embedder.embed(["x error"])).toHaveLength(1);
      expect(server.requests).toHaveLength(2);
    }
  });

  it("gives up after the retry, and does not retry a 4xx, naming provider and status", async () => {
    const twice = fakeOpenAi(4, [500, 502]);
    const failure = await new OpenAiCompatibleEmbedder({
      baseUrl: "https://api.example/v1",
      model: "m",
      dimensions: 4,
      fetch: twice.fetch,
      providerName: "Example AI",
      retryDelayMs: 0,
    })
      .embed(["x"])
      .catch((error: unknown) => error);
    expect(twice.requests).toHaveLength(2);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).message).toMatch(/Example AI.*HTTP 502/);
    expect((failure as AppError).details).toMatchObject({ provider: "Example AI", status: 502 });

    const unauthorized = fakeOpenAi(4, [401]);
    await expect(
      new OpenAiCompatibleEmbedder({
        baseUrl: "https://api.example/v1",
        model: "m",
        dimensions: 4,
        fetch: unauthorized.fetch,
        retryDelayMs: 0,
      }).embed(["x"]),
    ).rejects.toThrow(/api\.example.*HTTP 401/);
    expect(unauthorized.requests).toHaveLength(1);
  });

  it("rejects malformed responses (wrong dimensions, repeated index, missing data)", async () => {
    const respond = (body: unknown) => async () => Response.json(body);
    const make = (body: unknown) =>
      new OpenAiCompatibleEmbedder({
        baseUrl: "https://api.example/v1",
        model: "m",
        dimensions: 2,
        fetch: respond(body),
      });
    await expect(make({ data: [{ index: 0, embedding: [1, 2, 3] }] }).embed(["x"])).rejects.toThrow(/malformed/);
    await expect(
      make({
        data: [
          { index: 0, embedding: [1, 0] },
          { index: 0, embedding: [0, 1] },
        ],
      }).embed(["x", "y"]),
    ).rejects.toThrow(/malformed/);
    await expect(make({ object: "list" }).embed(["x"])).rejects.toThrow(/api\.example returned malformed/);
  });
});

describe("VectorizeIndex", () => {
  it("prefixes ids with the namespace in Vectorize and strips the prefix from matches", async () => {
    const fake = new FakeVectorize({ dimensions: 2 });
    const index = new VectorizeIndex(fake);
    await index.upsert("proj", [{ id: "e1", values: new Float32Array([1, 0]) }]);
    const raw = await fake.query([1, 0], { topK: 1, namespace: "proj" });
    expect(raw.matches[0]?.id).toBe("proj:e1");
    expect((await index.query("proj", new Float32Array([1, 0]), { topK: 1 }))[0]?.id).toBe("e1");
  });

  it("uses topK up to 20 with all metadata and up to 100 with indexed metadata only", async () => {
    const fake = new FakeVectorize({ dimensions: 2, metadataIndexes: ["resolved"] });
    const all = new VectorizeIndex(fake);
    const indexed = new VectorizeIndex(fake, { returnMetadata: "indexed" });
    expect(all.capabilities.maxTopK).toBe(20);
    expect(indexed.capabilities.maxTopK).toBe(100);
    await all.upsert("p", [{ id: "e", values: new Float32Array([1, 0]), metadata: { resolved: true, kind: "x" } }]);
    const [match] = await indexed.query("p", new Float32Array([1, 0]), { topK: 100 });
    expect(match?.metadata).toEqual({ resolved: true });
  });

  it("rejects an id that would exceed Vectorize's 64-byte limit once prefixed", async () => {
    const index = new VectorizeIndex(new FakeVectorize({ dimensions: 2 }));
    await expect(
      index.upsert("project-with-a-long-name", [{ id: "x".repeat(50), values: new Float32Array([1, 0]) }]),
    ).rejects.toThrow(/64 bytes/);
  });
});

describe("FakeVectorize", () => {
  it("follows the documented topK limits and $eq filters", async () => {
    const fake = new FakeVectorize({ dimensions: 2 });
    await fake.upsert([{ id: "a", values: [1, 0], namespace: "n", metadata: { kind: "k" } }]);
    await expect(fake.query([1, 0], { topK: 101 })).rejects.toThrow(/topK/);
    await expect(fake.query([1, 0], { topK: 21, returnMetadata: "all" })).rejects.toThrow(/topK/);
    await expect(fake.query([1, 0], { topK: 21, returnValues: true })).rejects.toThrow(/topK/);
    expect((await fake.query([1, 0], { topK: 100, returnMetadata: "indexed" })).count).toBe(0);
    const hit = await fake.query([1, 0], { topK: 1, namespace: "n", filter: { kind: { $eq: "k" } } });
    expect(hit.matches.map((match) => [match.id, match.metadata])).toEqual([["a", undefined]]);
    const miss = await fake.query([1, 0], { topK: 1, namespace: "n", filter: { kind: { $eq: "other" } } });
    expect(miss.count).toBe(0);
  });
});
