import { describe, expect, it } from "vitest";
import { ImportGraph, impactRisk } from "../../src/domain/code/graph";

// app → service → repo → db; service → util; cycle: a → b → c → a; c → util; d isolated.
const edges: Array<[string, string]> = [
  ["app.ts", "service.ts"],
  ["service.ts", "repo.ts"],
  ["repo.ts", "db.ts"],
  ["service.ts", "util.ts"],
  ["a.ts", "b.ts"],
  ["b.ts", "c.ts"],
  ["c.ts", "a.ts"],
  ["c.ts", "util.ts"],
];
const graph = new ImportGraph(edges, ["d.ts"]);

describe("import graph analyses", () => {
  it("answers imports and imported-by, depth and transitive dependents", () => {
    expect(graph.imports("service.ts")).toEqual(["repo.ts", "util.ts"]);
    expect(graph.importedBy("util.ts")).toEqual(["c.ts", "service.ts"]);
    const depths = graph.depths();
    expect(depths.get("app.ts")).toBe(3);
    expect(depths.get("db.ts")).toBe(0);
    expect(depths.get("a.ts")).toBe(1); // the cycle group sits on util.ts
    expect([...graph.dependents("repo.ts")].sort()).toEqual([
      ["app.ts", 2],
      ["service.ts", 1],
    ]);
    expect(impactRisk(graph.importedBy("util.ts").length, graph.dependents("util.ts").size)).toBe("medium"); // 2 direct, 5 in all
    expect(impactRisk(5, 5)).toBe("high");
    expect(impactRisk(1, 10)).toBe("high");
    expect(impactRisk(1, 2)).toBe("low");
  });

  it("reports every cycle as a concrete path", () => {
    expect(graph.cycles()).toEqual([["a.ts", "b.ts", "c.ts", "a.ts"]]);
    expect(graph.cycleFrom("b.ts")).toEqual(["b.ts", "c.ts", "a.ts", "b.ts"]);
    expect(graph.cycleFrom("app.ts")).toBeNull();
  });

  it("orders a refactor leaves first and groups a cycle into one flagged step instead of failing", () => {
    const order = graph.refactorOrder(["app.ts", "db.ts", "service.ts", "a.ts", "b.ts", "c.ts", "util.ts", "nope.ts"]);
    const position = (file: string) => order.findIndex((step) => step.files.includes(file));
    expect(position("db.ts")).toBeLessThan(position("service.ts"));
    expect(position("util.ts")).toBeLessThan(position("service.ts"));
    expect(position("service.ts")).toBeLessThan(position("app.ts"));
    expect(order.find((step) => step.cycle)).toEqual({ files: ["a.ts", "b.ts", "c.ts"], cycle: true });
    expect(position("util.ts")).toBeLessThan(position("a.ts"));
    expect(order.flatMap((step) => step.files)).not.toContain("nope.ts");
  });

  it("handles a 20,000-file chain without recursion", () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => [`f${i}`, `f${i + 1}`] as [string, string]);
    const long = new ImportGraph(chain);
    expect(long.depths().get("f0")).toBe(20_000);
    expect(long.cycles()).toEqual([]);
  });
});
