import { describe, expect, it } from "vitest";
import type { WorkersAiBinding, WorkersAiEmbeddingOutput } from "../../src/adapters/workers-ai-embedder";
import { WorkersAiEmbedder } from "../../src/adapters/workers-ai-embedder";
import { WORKERS_AI_DIMENSIONS } from "../../src/composition/embedding";
import { AppError } from "../../src/domain/core/app-error";
import { HashingEmbedder } from "../../src/domain/vectors/hash-embedder";
import { embedderContract } from "./embedder.contract";

/** A deterministic stand-in for a learned model, off unit length so a missing normalisation fails the contract. */
async function rawModelVector(text: string, dimensions: number): Promise<number[]> {
  const [vector] = await new HashingEmbedder({ dimensions }).embed([text]);
  return [...(vector ?? [])].map((value, index) => value * 2.5 - (index % 5) * 0.02);
}

type Shape = (rows: number[][], dimensions: number) => WorkersAiEmbeddingOutput;

/**
 * The documented answers to `{ text: string[] }` (developers.cloudflare.com/workers-ai/models/…):
 * embeddinggemma-300m `{ shape, data }`; bge-m3 `{ shape, data, pooling }`, or `{ response, shape, pooling }` in
 * its embeddings-for-contexts form. Each fake refuses what the schemas refuse: more than 100 texts, empty texts.
 */
const SHAPES: Record<string, Shape> = {
  "@cf/google/embeddinggemma-300m": (rows, dimensions) => ({ shape: [rows.length, dimensions], data: rows }),
  "@cf/baai/bge-m3": (rows, dimensions) => ({ shape: [rows.length, dimensions], data: rows, pooling: "cls" }),
  "@cf/baai/bge-m3 (response form)": (rows, dimensions) => ({
    response: rows,
    shape: [rows.length, dimensions],
    pooling: "cls",
  }),
};

function fakeAi(shape: Shape, dimensions: number): WorkersAiBinding & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async run(model, input) {
      calls.push(model);
      if (input.text.length > 100) throw new Error("5006: Error: at '/text': must NOT have more than 100 items");
      if (input.text.some((text) => text.length < 1)) throw new Error("5006: Error: text length must be >= 1");
      const rows = await Promise.all(input.text.map((text) => rawModelVector(text, dimensions)));
      return shape(rows, dimensions);
    },
  };
}

for (const [label, shape] of Object.entries(SHAPES)) {
  const model = label.split(" ")[0] ?? label;
  const dimensions = WORKERS_AI_DIMENSIONS[model] ?? 0;
  embedderContract(
    `WorkersAiEmbedder ${label} (fake AI binding)`,
    () => new WorkersAiEmbedder(fakeAi(shape, dimensions), { model, dimensions }),
  );
}

describe("Workers AI embedding models", () => {
  it("knows the documented vector sizes of embeddinggemma-300m and bge-m3", () => {
    expect(WORKERS_AI_DIMENSIONS["@cf/google/embeddinggemma-300m"]).toBe(768);
    expect(WORKERS_AI_DIMENSIONS["@cf/baai/bge-m3"]).toBe(1024);
  });

  it("calls the configured model and batches 250 texts as 100 + 100 + 50", async () => {
    const ai = fakeAi(SHAPES["@cf/baai/bge-m3"]!, 1024);
    const embedder = new WorkersAiEmbedder(ai, { model: "@cf/baai/bge-m3", dimensions: 1024 });
    const texts = Array.from({ length: 250 }, (_unused, index) => `OSError: [Errno ${index}] in worker ${index}`);
    expect(await embedder.embed(texts)).toHaveLength(250);
    expect(ai.calls).toEqual(["@cf/baai/bge-m3", "@cf/baai/bge-m3", "@cf/baai/bge-m3"]);
  });

  it("refuses bge-m3's asynchronous answer, which carries no embeddings, naming the provider", async () => {
    const ai: WorkersAiBinding = { run: async () => ({ request_id: "req-123" }) };
    const failure = await new WorkersAiEmbedder(ai, { model: "@cf/baai/bge-m3", dimensions: 1024 })
      .embed(["x"])
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).message).toMatch(/Workers AI returned malformed embeddings.*asynchronous/);
  });

  it("rejects a response row of the wrong size in the response form too", async () => {
    const ai: WorkersAiBinding = { run: async () => ({ response: [[1, 2, 3]], shape: [1, 3] }) };
    await expect(
      new WorkersAiEmbedder(ai, { model: "@cf/baai/bge-m3", dimensions: 1024 }).embed(["x"]),
    ).rejects.toThrow(/expected 1024 dimensions/);
  });
});
