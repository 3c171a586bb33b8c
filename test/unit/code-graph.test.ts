import { describe, expect, it } from "vitest";
import { buildSnapshot, CodeGraph } from "../../src/domain/code/code-graph";
import type { FileFacts, StoredCodeFile } from "../../src/domain/code/ports";
import { ImportGraph, impactRisk } from "../../src/domain/code/graph";
import { extractJsImports } from "../../src/domain/code/js-imports";
import { extractPythonImports } from "../../src/domain/code/python-imports";

/** A CodeGraph over files given by their text, as the index builds it. */
function codeGraph(sources: Record<string, string>): CodeGraph {
  const stored: StoredCodeFile[] = Object.entries(sources).map(([path, content]) => {
    if (path.endsWith(".py")) {
      const parsed = extractPythonImports(content);
      const facts: FileFacts = parsed.ok ? { python: parsed.imports } : {};
      return { path, language: "python", parseError: null, facts };
    }
    const parsed = extractJsImports(path, content);
    const facts: FileFacts = parsed.ok ? { js: parsed.imports } : {};
    return { path, language: "typescript", parseError: null, facts };
  });
  return new CodeGraph(buildSnapshot(stored, 1), "p");
}

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

describe("code graph on real repository shapes", () => {
  it("counts the dependents of the root index.ts that files reach with '..', '../..', '.' and './'", () => {
    const graph = codeGraph({
      "index.ts": 'export * from "./src/core";',
      "main.ts": 'import { x } from ".";',
      "cli.ts": 'import { x } from "./";',
      "src/core.ts": "export const x = 1;",
      "src/plugin.ts": 'import { x } from "..";',
      "src/deep/tool.ts": 'import { x } from "../..";',
    });
    const impact = graph.impact("index.ts");
    expect(impact.direct_dependents).toEqual(["cli.ts", "main.ts", "src/deep/tool.ts", "src/plugin.ts"]);
    expect(impact.affected_count).toBe(4);
    expect(graph.snapshot.unresolved).toEqual([]);
  });

  it("finds no cycle where only `from . import sub` links a package to its __init__.py", () => {
    // The shape of a real HTTP library: __init__.py re-exports submodules that import their siblings.
    const graph = codeGraph({
      "http/__init__.py": "from .client import Client\nfrom .models import Request\n__version__ = '1'\n",
      "http/client.py": "from . import models\nfrom . import utils\n",
      "http/models.py": "from . import utils\n",
      "http/utils.py": "from . import __version__\n",
    });
    const edges = graph.snapshot.edges.map(
      ([from, to]) => `${graph.snapshot.files[from]} -> ${graph.snapshot.files[to]}`,
    );
    expect(edges.sort()).toEqual([
      "http/__init__.py -> http/client.py",
      "http/__init__.py -> http/models.py",
      "http/client.py -> http/models.py",
      "http/client.py -> http/utils.py",
      "http/models.py -> http/utils.py",
      "http/utils.py -> http/__init__.py",
    ]);
    // utils imports a name from __init__, which imports client → utils: that cycle is real, and the only one.
    expect(graph.cycleGroups()).toEqual([
      {
        cycle: ["http/__init__.py", "http/client.py", "http/utils.py", "http/__init__.py"],
        files: ["http/__init__.py", "http/client.py", "http/models.py", "http/utils.py"],
        type_only: false,
      },
    ]);
    expect(graph.graph.imports("http/client.py")).not.toContain("http/__init__.py");
  });

  it("labels a cycle made only through type-only imports (TS and Python), and not a runtime one", () => {
    const graph = codeGraph({
      "src/user.ts": 'import type { Order } from "./order";\nexport interface User { orders: Order[] }',
      "src/order.ts": 'import { type User } from "./user";\nexport interface Order { user: User }',
      "src/a.ts": 'import { b } from "./b";\nexport const a = 1;',
      "src/b.ts": 'import type { A } from "./c";\nimport { a } from "./a";\nexport const b = a;',
      "src/c.ts": 'import { b } from "./b";\nexport type A = number;',
      "py/models.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .views import View\n",
      "py/views.py": "from .models import Model\n",
    });
    const groups = graph.cycleGroups();
    expect(groups).toEqual([
      {
        cycle: ["py/models.py", "py/views.py", "py/models.py"],
        files: ["py/models.py", "py/views.py"],
        type_only: true,
      },
      { cycle: ["src/a.ts", "src/b.ts", "src/a.ts"], files: ["src/a.ts", "src/b.ts", "src/c.ts"], type_only: false },
      {
        cycle: ["src/order.ts", "src/user.ts", "src/order.ts"],
        files: ["src/order.ts", "src/user.ts"],
        type_only: true,
      },
    ]);
    expect(graph.dependencies("src/user.ts")).toMatchObject({ cycle_type_only: true });
    expect(graph.dependencies("src/a.ts")).toMatchObject({
      cycle_type_only: false,
      circular_deps: [["src/a.ts", "src/b.ts", "src/a.ts"]],
    });
    // c.ts is in the group, but only through b's type import of it: at runtime it is on no cycle.
    expect(graph.dependencies("src/c.ts")).toMatchObject({ cycle_type_only: true });
    expect(graph.kindsOf("py/models.py", "py/views.py")).toEqual(["type"]);
  });
});
