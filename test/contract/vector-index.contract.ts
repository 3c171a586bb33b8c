import { describe, expect, it } from "vitest";
import type { VectorIndex, VectorItem } from "../../src/domain/vectors/ports";
import { l2normalize } from "../../src/domain/vectors/ports";

/** Dimensions of the vectors the contract writes; an index under test must accept them. */
export const CONTRACT_DIMENSIONS = 8;

function vec(...values: number[]): Float32Array {
  const padded = new Array<number>(CONTRACT_DIMENSIONS).fill(0);
  values.forEach((value, index) => (padded[index] = value));
  return l2normalize(padded);
}

function namespace(): string {
  return `ns-${crypto.randomUUID().slice(0, 8)}`;
}

/** The behaviour every `VectorIndex` adapter must have. */
export function vectorIndexContract(name: string, make: () => VectorIndex | Promise<VectorIndex>): void {
  describe(`VectorIndex contract: ${name}`, () => {
    it("finds an upserted vector with its metadata, and forgets it after delete", async () => {
      const index = await make();
      const ns = namespace();
      await index.upsert(ns, [
        { id: "a", values: vec(1, 0), metadata: { kind: "TypeError", resolved: true, occurrences: 3 } },
        { id: "b", values: vec(0, 1) },
      ]);
      const [top, second] = await index.query(ns, vec(1, 0.1), { topK: 2 });
      expect(top?.id).toBe("a");
      expect(top?.metadata).toEqual({ kind: "TypeError", resolved: true, occurrences: 3 });
      expect(second?.id).toBe("b");
      expect(second?.metadata).toBeUndefined();

      await index.delete(ns, ["a", "never-stored"]);
      const after = await index.query(ns, vec(1, 0.1), { topK: 2 });
      expect(after.map((match) => match.id)).toEqual(["b"]);
    });

    it("scores with cosine similarity, sorted highest first, within [-1, 1]", async () => {
      const index = await make();
      const ns = namespace();
      await index.upsert(ns, [
        { id: "same", values: vec(1, 0) },
        { id: "diagonal", values: vec(1, 1) },
        { id: "orthogonal", values: vec(0, 1) },
        { id: "opposite", values: vec(-1, 0) },
      ]);
      const matches = await index.query(ns, vec(1, 0), { topK: 4 });
      expect(matches.map((match) => match.id)).toEqual(["same", "diagonal", "orthogonal", "opposite"]);
      const expected = [1, Math.SQRT1_2, 0, -1];
      matches.forEach((match, position) => {
        expect(match.score).toBeCloseTo(expected[position] ?? Number.NaN, 5);
        expect(match.score).toBeGreaterThanOrEqual(-1);
        expect(match.score).toBeLessThanOrEqual(1);
      });
    });

    it("isolates namespaces: same ids, separate vectors, separate deletes", async () => {
      const index = await make();
      const projectA = namespace();
      const projectB = namespace();
      await index.upsert(projectA, [{ id: "e1", values: vec(1, 0), metadata: { project: "a" } }]);
      await index.upsert(projectB, [
        { id: "e1", values: vec(0, 1), metadata: { project: "b" } },
        { id: "e2", values: vec(1, 0), metadata: { project: "b" } },
      ]);
      const inA = await index.query(projectA, vec(1, 0), { topK: 10 });
      expect(inA.map((match) => [match.id, match.metadata?.project])).toEqual([["e1", "a"]]);
      expect(inA[0]?.score).toBeCloseTo(1, 5);

      await index.delete(projectA, ["e1"]);
      expect(await index.query(projectA, vec(1, 0), { topK: 10 })).toEqual([]);
      const inB = await index.query(projectB, vec(0, 1), { topK: 10 });
      expect(inB.map((match) => match.id)).toEqual(["e1", "e2"]);
      expect(await index.query(namespace(), vec(1, 0), { topK: 10 })).toEqual([]);
    });

    it("filters by exact metadata equality (all keys, type-strict) before taking topK", async () => {
      const index = await make();
      const ns = namespace();
      const items: VectorItem[] = [
        { id: "open-type", values: vec(1, 0), metadata: { kind: "TypeError", resolved: false, n: 1 } },
        { id: "done-type", values: vec(0.9, 0.1), metadata: { kind: "TypeError", resolved: true, n: 2 } },
        { id: "done-import", values: vec(1, 0.05), metadata: { kind: "ImportError", resolved: true, n: 2 } },
        { id: "bare", values: vec(1, 0.01) },
      ];
      await index.upsert(ns, items);
      const ids = async (filter: Record<string, string | number | boolean>, topK = 10) =>
        (await index.query(ns, vec(1, 0), { topK, filter })).map((match) => match.id).sort();
      expect(await ids({ kind: "TypeError" })).toEqual(["done-type", "open-type"]);
      expect(await ids({ resolved: true })).toEqual(["done-import", "done-type"]);
      expect(await ids({ kind: "TypeError", resolved: true })).toEqual(["done-type"]);
      expect(await ids({ n: 2, kind: "ImportError" })).toEqual(["done-import"]);
      expect(await ids({ n: "2" })).toEqual([]);
      expect(await ids({ missing: "x" })).toEqual([]);
      // The filter applies first: the best unfiltered hits must not use up topK.
      expect(await ids({ kind: "TypeError", resolved: true }, 1)).toEqual(["done-type"]);
    });

    it("returns at most topK matches, the best ones, and rejects topK beyond its limit", async () => {
      const index = await make();
      const ns = namespace();
      const items = Array.from({ length: 6 }, (_unused, position) => ({
        id: `v${position}`,
        values: vec(1, position / 2),
      }));
      await index.upsert(ns, items);
      const matches = await index.query(ns, vec(1, 0), { topK: 3 });
      expect(matches.map((match) => match.id)).toEqual(["v0", "v1", "v2"]);
      expect(index.capabilities.maxTopK).toBeGreaterThan(0);
      await expect(index.query(ns, vec(1, 0), { topK: index.capabilities.maxTopK + 1 })).rejects.toThrow(/topK/);
      await expect(index.query(ns, vec(1, 0), { topK: 0 })).rejects.toThrow(/topK/);
    });

    it("updates in place: upserting an id again replaces its vector and metadata", async () => {
      const index = await make();
      const ns = namespace();
      await index.upsert(ns, [{ id: "e", values: vec(1, 0), metadata: { resolved: false, note: "old" } }]);
      await index.upsert(ns, [{ id: "e", values: vec(0, 1), metadata: { resolved: true } }]);
      const matches = await index.query(ns, vec(0, 1), { topK: 10 });
      expect(matches).toHaveLength(1);
      expect(matches[0]?.id).toBe("e");
      expect(matches[0]?.score).toBeCloseTo(1, 5);
      expect(matches[0]?.metadata).toEqual({ resolved: true });
    });

    it("accepts empty upserts and deletes", async () => {
      const index = await make();
      const ns = namespace();
      await index.upsert(ns, []);
      await index.delete(ns, []);
      expect(await index.query(ns, vec(1), { topK: 1 })).toEqual([]);
    });
  });
}
