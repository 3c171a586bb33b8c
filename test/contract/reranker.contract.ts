import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/core/app-error";
import type { Reranker } from "../../src/domain/vectors/ports";

const QUERY = "TypeError: Cannot read properties of undefined (reading 'map') in renderList";
const RELEVANT =
  "TypeError: Cannot read properties of undefined (reading 'map')\n    at renderList (src/components/List.tsx:14:22)";
const DOCUMENTS = [
  "ImportError: No module named requests",
  RELEVANT,
  "Error: connect ECONNREFUSED 127.0.0.1:5432 at TCPConnectWrap.afterConnect",
  "java.lang.NullPointerException: Cannot invoke String.length() because s is null",
];

function expectSameScores(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((score, index) => expect(Math.abs(score - (expected[index] ?? Number.NaN))).toBeLessThan(1e-6));
}

export interface RerankerContractOptions {
  /** A reranker whose provider fails every call, when the implementation has a provider that can fail. */
  makeFailing?: () => Reranker | Promise<Reranker>;
}

/** The behaviour every `Reranker` adapter must have. */
export function rerankerContract(
  name: string,
  make: () => Reranker | Promise<Reranker>,
  options: RerankerContractOptions = {},
): void {
  describe(`Reranker contract: ${name}`, () => {
    it("has a model id and a positive document limit", async () => {
      const reranker = await make();
      expect(reranker.id.length).toBeGreaterThan(0);
      expect(Number.isInteger(reranker.maxDocuments) && reranker.maxDocuments > 0).toBe(true);
    });

    it("returns one finite score in [0, 1] per document", async () => {
      const scores = await (await make()).rerank(QUERY, DOCUMENTS);
      expect(scores).toHaveLength(DOCUMENTS.length);
      for (const score of scores) {
        expect(Number.isFinite(score)).toBe(true);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
      }
    });

    it("keeps input order: a batch equals the documents scored one by one, and reversing reverses it", async () => {
      const reranker = await make();
      const batch = await reranker.rerank(QUERY, DOCUMENTS);
      const singles = await Promise.all(
        DOCUMENTS.map(async (document) => (await reranker.rerank(QUERY, [document]))[0]),
      );
      expectSameScores(batch, singles as number[]);
      expectSameScores(await reranker.rerank(QUERY, [...DOCUMENTS].reverse()), [...batch].reverse());
    });

    it("scores an obviously relevant document above unrelated ones", async () => {
      const scores = await (await make()).rerank(QUERY, DOCUMENTS);
      const relevant = scores[DOCUMENTS.indexOf(RELEVANT)] ?? 0;
      scores.forEach((score, index) => {
        if (DOCUMENTS[index] !== RELEVANT) expect(relevant).toBeGreaterThan(score);
      });
    });

    it("is deterministic for the same input", async () => {
      const reranker = await make();
      expectSameScores(await reranker.rerank(QUERY, DOCUMENTS), await reranker.rerank(QUERY, DOCUMENTS));
    });

    it("returns [] for no documents", async () => {
      expect(await (await make()).rerank(QUERY, [])).toEqual([]);
    });

    it("scores a document with nothing in it 0, and every document 0 for an empty query", async () => {
      const reranker = await make();
      const scores = await reranker.rerank(QUERY, ["", RELEVANT, "  \n\t "]);
      expect(scores[0]).toBe(0);
      expect(scores[2]).toBe(0);
      expect(scores[1]).toBeGreaterThan(0);
      expect(await reranker.rerank("   ", DOCUMENTS)).toEqual(DOCUMENTS.map(() => 0));
    });

    it("accepts more than maxDocuments documents and scores each as it would alone", async () => {
      const reranker = await make();
      const filler = Array.from(
        { length: reranker.maxDocuments + 3 },
        (_unused, index) => `KeyError: 'column_${index}' raised in pandas indexing of frame ${index}`,
      );
      const documents = [...filler, RELEVANT];
      const scores = await reranker.rerank(QUERY, documents);
      expect(scores).toHaveLength(documents.length);
      const [alone] = await reranker.rerank(QUERY, [RELEVANT]);
      expect(Math.abs((scores.at(-1) ?? Number.NaN) - (alone ?? 0))).toBeLessThan(1e-6);
      expect(Math.max(...scores)).toBe(scores.at(-1));
    });

    if (options.makeFailing) {
      const makeFailing = options.makeFailing;
      it("surfaces a provider failure as an AppError", async () => {
        const failure = await (await makeFailing()).rerank(QUERY, DOCUMENTS).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(AppError);
      });
    }
  });
}
