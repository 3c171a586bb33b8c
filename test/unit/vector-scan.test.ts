import { describe, expect, it } from "vitest";
import kernel from "../../durable-objects/vector-kernel.wasm";
import { VectorScan } from "../../src/domain/vectors/vector-scan";
import type { VectorMetadata } from "../../src/domain/vectors/ports";
import { cosine } from "../../src/domain/vectors/ports";

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Stored {
  id: string;
  key: number;
  values: Float32Array;
  metadata: VectorMetadata | undefined;
}

/**
 * Vectors clustered around a few centres, as real embeddings are: many near-ties, which is where an
 * approximate first pass would drop a true neighbour.
 */
function clusteredVectors(count: number, dims: number, seed: number): Stored[] {
  const next = random(seed);
  const centres = Array.from({ length: 8 }, () => Float32Array.from({ length: dims }, () => next() * 2 - 1));
  return Array.from({ length: count }, (_unused, index) => {
    const centre = centres[index % centres.length] as Float32Array;
    const values = Float32Array.from(centre, (value) => value + (next() - 0.5) * 0.05);
    return { id: `v${index}`, key: index + 1, values, metadata: { resolved: index % 3 === 0, group: index % 5 } };
  });
}

function bruteForce(stored: Stored[], query: Float32Array, topK: number, filter?: VectorMetadata) {
  return stored
    .filter((item) => !filter || Object.entries(filter).every(([key, value]) => item.metadata?.[key] === value))
    .map((item) => ({ id: item.id, score: cosine(item.values, query) }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, topK);
}

function exactSource(stored: Stored[]) {
  const byKey = new Map(stored.map((item) => [item.key, item.values]));
  return (keys: number[]) => new Map(keys.map((key) => [key, byKey.get(key) as Float32Array]));
}

for (const [name, options] of [
  ["WebAssembly kernel", { kernel }],
  ["JavaScript fallback", {}],
] as const) {
  describe(`VectorScan (${name})`, () => {
    it("returns exactly the brute-force cosine top-K, with and without filters", () => {
      const stored = clusteredVectors(2_000, 48, 7);
      const scan = new VectorScan(options);
      for (const item of stored) scan.set(item.id, item.key, item.values, item.metadata);
      const queries = clusteredVectors(20, 48, 99).map((item) => item.values);
      for (const query of queries) {
        for (const filter of [undefined, { resolved: true }, { group: 2, resolved: false }] as Array<
          VectorMetadata | undefined
        >) {
          const expected = bruteForce(stored, query, 10, filter);
          const actual = scan.query(query, { topK: 10, ...(filter ? { filter } : {}) }, exactSource(stored));
          expect(actual.map((match) => match.id)).toEqual(expected.map((match) => match.id));
          actual.forEach((match, position) => expect(match.score).toBeCloseTo(expected[position]?.score ?? 0, 6));
        }
      }
      // The bound prunes: far fewer rows are re-scored exactly than are stored.
      expect(scan.stats().lastQuery.rescored).toBeLessThan(200);
    });

    it("replaces, deletes (moving the last row into the hole) and keeps dimensionalities apart", () => {
      const stored = clusteredVectors(300, 16, 3);
      const scan = new VectorScan(options);
      for (const item of stored) scan.set(item.id, item.key, item.values, item.metadata);
      // Delete a third, replace another third with new values under new keys.
      const live = new Map(stored.map((item) => [item.id, item]));
      const replacements = clusteredVectors(100, 16, 11);
      stored.slice(0, 100).forEach((item) => {
        expect(scan.delete(item.id)).toBe(true);
        live.delete(item.id);
      });
      expect(scan.delete("v0")).toBe(false);
      stored.slice(100, 200).forEach((item, index) => {
        const replacement = { ...item, key: 10_000 + index, values: (replacements[index] as Stored).values };
        scan.set(item.id, replacement.key, replacement.values, replacement.metadata);
        live.set(item.id, replacement);
      });
      scan.set("other-dims", 99_999, new Float32Array([1, 0, 0]));
      const current = [...live.values()];
      expect(scan.size).toBe(current.length + 1);
      for (const query of clusteredVectors(5, 16, 21).map((item) => item.values)) {
        const actual = scan.query(query, { topK: 25 }, exactSource(current));
        expect(actual.map((match) => match.id)).toEqual(bruteForce(current, query, 25).map((match) => match.id));
      }
      const otherDims = { id: "other-dims", key: 99_999, values: new Float32Array([1, 0, 0]), metadata: undefined };
      const threeDims = scan.query(new Float32Array([2, 0, 0]), { topK: 5 }, exactSource([otherDims]));
      expect(threeDims.map((match) => match.id)).toEqual(["other-dims"]);
      expect(threeDims[0]?.score).toBeCloseTo(1, 6);
    });

    it("treats a zero query as similar to nothing and refuses NaN and a non-positive topK", () => {
      const scan = new VectorScan(options);
      scan.set("a", 1, new Float32Array([1, 0]));
      scan.set("b", 2, new Float32Array([0, 1]));
      const matches = scan.query(new Float32Array([0, 0]), { topK: 5 }, () => new Map());
      expect(matches).toEqual([
        { id: "a", score: 0 },
        { id: "b", score: 0 },
      ]);
      expect(() => scan.query(new Float32Array([Number.NaN, 0]), { topK: 1 }, () => new Map())).toThrow(/finite/);
      expect(() => scan.query(new Float32Array([1, 0]), { topK: 0 }, () => new Map())).toThrow(/topK/);
      expect(() => scan.set("c", 3, new Float32Array([Number.POSITIVE_INFINITY, 0]))).toThrow(/finite/);
    });
  });
}
