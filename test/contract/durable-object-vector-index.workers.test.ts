// DurableObjectVectorIndex through the vector-index contract and its own tests: they need the PROJECT_VECTORS
// Durable Object binding, so they run in the workers project; the other adapters' contracts run in Node
// (adapters.test.ts, llm-providers.test.ts).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DurableObjectVectorIndex } from "../../src/adapters/durable-object-vector-index";
import { vectorIndexContract } from "./vector-index.contract";

vectorIndexContract(
  "DurableObjectVectorIndex (local Durable Object SQLite)",
  () => new DurableObjectVectorIndex(env.PROJECT_VECTORS),
);

describe("DurableObjectVectorIndex", () => {
  it("keeps vectors of another dimensionality (another embedder) out of a query", async () => {
    const index = new DurableObjectVectorIndex(env.PROJECT_VECTORS);
    const ns = `ns-${crypto.randomUUID().slice(0, 8)}`;
    await index.upsert(ns, [
      { id: "small", values: new Float32Array([1, 0]) },
      { id: "large", values: new Float32Array([1, 0, 0, 0]) },
    ]);
    const matches = await index.query(ns, new Float32Array([1, 0, 0, 0]), { topK: 10 });
    expect(matches.map((match) => match.id)).toEqual(["large"]);
  });

  it("deletes many ids at once", async () => {
    const index = new DurableObjectVectorIndex(env.PROJECT_VECTORS);
    const ns = `ns-${crypto.randomUUID().slice(0, 8)}`;
    const items = Array.from({ length: 150 }, (_unused, position) => ({
      id: `e${position}`,
      values: new Float32Array([1, position]),
    }));
    await index.upsert(ns, items);
    await index.delete(
      ns,
      items.slice(0, 149).map((item) => item.id),
    );
    const matches = await index.query(ns, new Float32Array([1, 0]), { topK: 100 });
    expect(matches.map((match) => match.id)).toEqual(["e149"]);
  });
});
