import { describe, expect, it } from "vitest";
import type { Embedder } from "../../src/domain/vectors/ports";

const TEXTS = [
  "TypeError: can't compare offset-naive and offset-aware datetimes",
  "ImportError: No module named requests",
  "Error: connect ECONNREFUSED 127.0.0.1:5432 at TCPConnectWrap.afterConnect",
  "java.lang.NullPointerException: Cannot invoke String.length() because s is null",
];

function norm(vector: Float32Array): number {
  return Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let maxDiff = 0;
  for (let index = 0; index < actual.length; index += 1) {
    maxDiff = Math.max(maxDiff, Math.abs((actual[index] ?? 0) - (expected[index] ?? 0)));
  }
  expect(maxDiff).toBeLessThan(1e-6);
}

/** The behaviour every `Embedder` adapter must have. */
export function embedderContract(name: string, make: () => Embedder | Promise<Embedder>): void {
  describe(`Embedder contract: ${name}`, () => {
    it("has a model id and a positive dimension count", async () => {
      const embedder = await make();
      expect(embedder.id.length).toBeGreaterThan(0);
      expect(Number.isInteger(embedder.dimensions) && embedder.dimensions > 0).toBe(true);
    });

    it("returns one Float32Array of `dimensions` values per text", async () => {
      const embedder = await make();
      const vectors = await embedder.embed(TEXTS);
      expect(vectors).toHaveLength(TEXTS.length);
      for (const vector of vectors) {
        expect(vector).toBeInstanceOf(Float32Array);
        expect(vector.length).toBe(embedder.dimensions);
      }
    });

    it("returns unit-length vectors", async () => {
      const embedder = await make();
      for (const vector of await embedder.embed(TEXTS)) expect(norm(vector)).toBeCloseTo(1, 4);
    });

    it("is deterministic for the same input", async () => {
      const embedder = await make();
      const first = await embedder.embed(TEXTS);
      const second = await embedder.embed(TEXTS);
      first.forEach((vector, index) => expectClose(vector, second[index] ?? new Float32Array()));
    });

    it("preserves batch order: a batch equals the texts embedded one by one", async () => {
      const embedder = await make();
      const batch = await embedder.embed(TEXTS);
      for (const [index, text] of TEXTS.entries()) {
        const [single] = await embedder.embed([text]);
        expectClose(batch[index] ?? new Float32Array(), single ?? new Float32Array());
      }
      const reversed = await embedder.embed([...TEXTS].reverse());
      reversed.forEach((vector, index) => expectClose(vector, batch[TEXTS.length - 1 - index] ?? new Float32Array()));
    });

    it("accepts an empty batch", async () => {
      const embedder = await make();
      expect(await embedder.embed([])).toEqual([]);
    });
  });
}
