import { describe, expect, it } from "vitest";
import type { WorkersAiRerankerBinding } from "../../src/adapters/workers-ai-reranker";
import { WorkersAiReranker } from "../../src/adapters/workers-ai-reranker";
import { AppError } from "../../src/domain/core/app-error";
import { rerankerContract } from "./reranker.contract";

type RerankInput = Parameters<WorkersAiRerankerBinding["run"]>[1];

function tokens(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[a-z0-9_]+/g) ?? []);
}

/** A stand-in cross-encoder logit: token overlap (Jaccard) stretched over [-4, 4], as a raw logit would spread. */
function overlapLogit(query: string, text: string): number {
  const a = tokens(query);
  const b = tokens(text);
  let shared = 0;
  for (const token of a) if (b.has(token)) shared += 1;
  const union = a.size + b.size - shared;
  return union === 0 ? -4 : (shared / union) * 8 - 4;
}

/**
 * A Workers AI binding answering like `@cf/baai/bge-reranker-base`: it refuses what the schema refuses (an empty
 * query or context), and answers `{ response: [{ id, score }] }` sorted best first and cut to `top_k`, so an
 * adapter that reads the results in order instead of by `id` gets the scores wrong.
 */
function fakeAi(): WorkersAiRerankerBinding & { calls: Array<{ model: string; input: RerankInput }> } {
  const calls: Array<{ model: string; input: RerankInput }> = [];
  return {
    calls,
    async run(model, input) {
      calls.push({ model, input });
      if (input.query.length < 1) throw new Error("5006: Error: required properties at '/' are 'query'");
      if (input.contexts.some((context) => context.text.length < 1)) {
        throw new Error("5006: Error: at '/contexts/0/text': length must be >= 1");
      }
      const response = input.contexts
        .map((context, id) => ({ id, score: overlapLogit(input.query, context.text) }))
        .sort((left, right) => right.score - left.score || left.id - right.id);
      return { response: response.slice(0, input.top_k ?? response.length) };
    },
  };
}

function answering(output: unknown): WorkersAiRerankerBinding {
  return { run: async () => output as { response: Array<{ id: number; score: number }> } };
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

const failingAi: WorkersAiRerankerBinding = {
  run: async () => {
    throw new Error("3040: Capacity temporarily exceeded");
  },
};

rerankerContract("WorkersAiReranker (fake AI binding)", () => new WorkersAiReranker(fakeAi()), {
  makeFailing: () => new WorkersAiReranker(failingAi),
});
rerankerContract(
  "WorkersAiReranker (fake AI binding, 3 documents per call)",
  () => new WorkersAiReranker(fakeAi(), { maxDocuments: 3 }),
  { makeFailing: () => new WorkersAiReranker(failingAi, { maxDocuments: 3 }) },
);

describe("WorkersAiReranker", () => {
  it("sends {query, contexts: [{text}], top_k} to the configured model and maps ids back to input order", async () => {
    const ai = fakeAi();
    const reranker = new WorkersAiReranker(ai, { model: "@cf/baai/bge-reranker-base" });
    const documents = ["ImportError: no module named yaml", "TypeError: x is undefined", "TypeError: x"];
    const scores = await reranker.rerank("TypeError: x is undefined", documents);

    expect(reranker.id).toBe("workers-ai:@cf/baai/bge-reranker-base");
    expect(reranker.maxDocuments).toBe(50);
    expect(ai.calls).toEqual([
      {
        model: "@cf/baai/bge-reranker-base",
        input: {
          query: "TypeError: x is undefined",
          contexts: documents.map((text) => ({ text })),
          top_k: 3,
        },
      },
    ]);
    documents.forEach((document, index) =>
      expect(scores[index]).toBeCloseTo(sigmoid(overlapLogit("TypeError: x is undefined", document)), 9),
    );
    expect(scores[1]).toBeGreaterThan(scores[2] ?? 1);
    expect(scores[2]).toBeGreaterThan(scores[0] ?? 1);
  });

  it("maps logits through a sigmoid by default and passes probabilities through (clamped) when told", async () => {
    const output = {
      response: [
        { id: 1, score: 2 },
        { id: 0, score: -2 },
        { id: 2, score: 1.5 },
      ],
    };
    const logits = await new WorkersAiReranker(answering(output)).rerank("q", ["a", "b", "c"]);
    expect(logits[0]).toBeCloseTo(sigmoid(-2), 12);
    expect(logits[1]).toBeCloseTo(sigmoid(2), 12);
    expect(logits[2]).toBeCloseTo(sigmoid(1.5), 12);
    const extreme = {
      response: [
        { id: 0, score: 800 },
        { id: 1, score: -800 },
      ],
    };
    expect(await new WorkersAiReranker(answering(extreme)).rerank("q", ["a", "b"])).toEqual([1, 0]);
    const probabilities = await new WorkersAiReranker(answering(output), { scores: "probability" }).rerank("q", [
      "a",
      "b",
      "c",
    ]);
    expect(probabilities).toEqual([0, 1, 1]);
  });

  it("batches by maxDocuments, skips empty documents, and makes no call without a query", async () => {
    const ai = fakeAi();
    const reranker = new WorkersAiReranker(ai, { maxDocuments: 2 });
    const scores = await reranker.rerank("disk full", ["disk full", "", "no space", "disk", "  ", "full disk"]);
    expect(scores).toHaveLength(6);
    expect(scores[1]).toBe(0);
    expect(scores[4]).toBe(0);
    expect(ai.calls.map((call) => call.input.contexts.map((context) => context.text))).toEqual([
      ["disk full", "no space"],
      ["disk", "full disk"],
    ]);
    expect(ai.calls.map((call) => call.input.top_k)).toEqual([2, 2]);
    expect(await reranker.rerank("", ["disk full"])).toEqual([0]);
    expect(ai.calls).toHaveLength(2);
  });

  it("cuts the query to 1,000 and each document to 2,000 characters, keeping their start", async () => {
    const ai = fakeAi();
    const query = `TypeError ${"q".repeat(5_000)}`;
    const document = `  RangeError ${"d".repeat(5_000)}`;
    await new WorkersAiReranker(ai).rerank(query, [document]);
    const input = ai.calls[0]?.input;
    expect(input?.query).toBe(query.slice(0, 1_000));
    expect(input?.contexts[0]?.text).toBe(document.trim().slice(0, 2_000));
  });

  it.each([
    ["no response", {}],
    ["null output", null],
    ["too few results", { response: [{ id: 0, score: 1 }] }],
    [
      "an id out of range",
      {
        response: [
          { id: 0, score: 1 },
          { id: 2, score: 0 },
        ],
      },
    ],
    [
      "a repeated id",
      {
        response: [
          { id: 1, score: 1 },
          { id: 1, score: 0 },
        ],
      },
    ],
    [
      "a fractional id",
      {
        response: [
          { id: 0.5, score: 1 },
          { id: 1, score: 0 },
        ],
      },
    ],
    [
      "a non-numeric score",
      {
        response: [
          { id: 0, score: "high" },
          { id: 1, score: 0 },
        ],
      },
    ],
    ["a missing score", { response: [{ id: 0 }, { id: 1, score: 0 }] }],
  ])("rejects malformed output (%s) with an AppError naming provider and model", async (_case, output) => {
    const reranker = new WorkersAiReranker(answering(output), { model: "@cf/baai/bge-reranker-base" });
    const failure = await reranker.rerank("q", ["a", "b"]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe("internal");
    expect((failure as AppError).message).toMatch(
      /Workers AI returned malformed rerank scores for @cf\/baai\/bge-reranker-base/,
    );
    expect((failure as AppError).details).toEqual({ provider: "Workers AI", model: "@cf/baai/bge-reranker-base" });
  });

  it("wraps a failing binding call in an AppError that keeps the cause", async () => {
    const failure = await new WorkersAiReranker(failingAi).rerank("q", ["a"]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe("internal");
    expect((failure as AppError).message).toMatch(/Workers AI rerank call failed for @cf\/baai\/bge-reranker-base/);
    expect(((failure as AppError).cause as Error).message).toMatch(/3040/);
  });
});
