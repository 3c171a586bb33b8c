// Self-test of the reference import graphs (bench/graph-reference.mjs): first pins the resolution semantics on two
// small fixtures written to a temp dir (so a dependency-cruiser upgrade or option change that alters them is
// caught), then runs both extractors on every corpus in CORPORA and prints file / edge counts and timings.
// Usage: ./node_modules/.bin/node bench/graph-reference-selftest.mjs [corpus-name ...]   (needs Node 22)
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CORPORA, compareEdges, jsReferenceEdges, pythonReferenceEdges, referenceEdges } from "./graph-reference.mjs";

/** @param {Record<string, string>} files relative path -> content @returns {string} the temp root */
function writeFixture(files) {
  const root = mkdtempSync(join(tmpdir(), "graph-reference-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** @param {Array<[string, string]>} actual @param {Array<[string, string]>} expected @param {string} label */
function assertSameEdges(actual, expected, label) {
  const { missing, extra } = compareEdges(actual, expected);
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `${label}: edges differ from the pinned semantics`);
}

const JS_FIXTURE = {
  "tsconfig.json": JSON.stringify({ compilerOptions: { baseUrl: ".", paths: { "@alias/*": ["lib/*"] } } }),
  "a.ts": [
    'import { b } from "./b.js"; // b.ts and b.js both exist: TypeScript takes b.ts',
    'import type { T } from "./types"; // only types.d.ts',
    'import "./both"; // both.ts and both.d.ts: the .ts',
    'export * from "./dir"; // dir/index.ts',
    'import x = require("./cjs");',
    'const lazy = () => import("./lazy");',
    "const tpl = import(`./tpl`); // template literal without substitutions counts",
    "const name = 'x'; const dyn = import(`./${name}`); // computed: no edge",
    'import data from "./data.json"; // JSON is not a graph node',
    'import thing from "@alias/thing"; // tsconfig paths',
    'import fs from "node:fs";',
    'import zod from "zod";',
    'import hidden from "./.hidden/h";',
    'type U = typeof import("./typeimp"); // import type node',
    "export {};",
  ].join("\n"),
  "b.ts": "export const b = 1;",
  "b.js": "exports.b = 1;",
  "types.d.ts": "export type T = number;",
  "both.ts": "export {};",
  "both.d.ts": "export {};",
  "dir/index.ts": "export const d = 1;",
  "cjs.js": 'function load() { return require("./helper"); }\nmodule.exports = load;',
  "helper.js": "module.exports = 1;",
  "lazy.ts": "export {};",
  "tpl.ts": "export {};",
  "x.ts": "export {};",
  "data.json": "{}",
  "lib/thing.ts": "export default 1;",
  "typeimp.ts": "export {};",
  "m.mts": 'import "./n.mjs";',
  "n.mts": "export {};",
  "self.js": 'require("./self");',
  ".hidden/h.ts": "export {};",
  "node_modules/zod/index.js": "module.exports = {};",
};
const JS_EXPECTED = /** @type {Array<[string, string]>} */ ([
  ["a.ts", "b.ts"],
  ["a.ts", "types.d.ts"],
  ["a.ts", "both.ts"],
  ["a.ts", "dir/index.ts"],
  ["a.ts", "cjs.js"],
  ["a.ts", "lazy.ts"],
  ["a.ts", "tpl.ts"],
  ["a.ts", "lib/thing.ts"],
  ["a.ts", "typeimp.ts"],
  ["cjs.js", "helper.js"],
  ["m.mts", "n.mts"],
]);

const PYTHON_FIXTURE = {
  "pkg/__init__.py": "",
  "pkg/a.py": [
    "from . import sub, not_a_module  # pkg/__init__.py + pkg/sub/__init__.py",
    "from .sub import b, attr  # pkg/sub/__init__.py + pkg/sub/b.py",
    "from .. import mod  # root has no __init__.py: only mod.py",
    "import pkg.sub.b  # the named module only, not pkg/__init__.py again",
    "from ns import c  # namespace package: c.py only",
    "import ns  # namespace package: no file, no edge",
    "import srcpkg  # found in the src/ source root",
    "import lit  # lit/ package beats lit.py",
    "def f():",
    "    import os  # external",
    "    class K:",
    "        from pkg import a  # pkg/__init__.py; pkg/a.py is a self-edge",
    "try:",
    "    import pkg.missing",
    "except ImportError:",
    "    from ... import too_far  # above the root: dropped",
    "match 1:",
    "    case 1:",
    "        from pkg.sub import *  # pkg/sub/__init__.py only",
  ].join("\n"),
  "pkg/sub/__init__.py": "",
  "pkg/sub/b.py": "",
  "ns/c.py": "",
  "mod.py": "",
  "lit.py": "",
  "lit/__init__.py": "",
  "src/srcpkg/__init__.py": "",
  "py2.py": 'print "python 2"\nimport mod\n',
  ".venv/x.py": "import mod",
};
const PYTHON_EXPECTED = /** @type {Array<[string, string]>} */ ([
  ["pkg/a.py", "pkg/__init__.py"],
  ["pkg/a.py", "pkg/sub/__init__.py"],
  ["pkg/a.py", "pkg/sub/b.py"],
  ["pkg/a.py", "mod.py"],
  ["pkg/a.py", "ns/c.py"],
  ["pkg/a.py", "src/srcpkg/__init__.py"],
  ["pkg/a.py", "lit/__init__.py"],
]);

/** @type {string[]} */
const fixtures = [];
try {
  {
    const root = writeFixture(JS_FIXTURE);
    fixtures.push(root);
    const graph = await jsReferenceEdges(root, { tsConfig: join(root, "tsconfig.json") });
    assertSameEdges(graph.edges, JS_EXPECTED, "JS fixture");
    assert.ok(!graph.files.some((f) => f.startsWith(".hidden/") || f.startsWith("node_modules/")), "JS fixture files");
    assert.deepEqual(graph.dependencyTypes?.["a.ts\u0000types.d.ts"], ["import", "local", "type-only"]);
  }
  {
    const root = writeFixture(PYTHON_FIXTURE);
    fixtures.push(root);
    const graph = pythonReferenceEdges(root);
    assertSameEdges(graph.edges, PYTHON_EXPECTED, "Python fixture");
    assert.deepEqual(
      graph.parseErrors?.map((e) => e.path),
      ["py2.py"],
    );
    assert.ok(
      graph.files.includes("py2.py") && !graph.files.some((f) => f.startsWith(".venv/")),
      "Python fixture files",
    );
  }
  {
    const score = compareEdges(
      [
        ["a", "b"],
        ["a", "c"],
      ],
      [
        ["a", "b"],
        ["b", "c"],
      ],
    );
    assert.deepEqual(score, {
      precision: 0.5,
      recall: 0.5,
      truePositives: 1,
      missing: [["b", "c"]],
      extra: [["a", "c"]],
    });
  }
} finally {
  for (const root of fixtures) rmSync(root, { recursive: true, force: true });
}
console.log("fixtures: JS and Python resolution semantics as pinned\n");

const only = process.argv.slice(2);
const corpora = only.length ? CORPORA.filter((c) => only.includes(c.name)) : CORPORA;
/** @type {Array<Record<string, string | number>>} */
const rows = [];
for (const corpus of corpora) {
  const started = performance.now();
  const graph = await referenceEdges(corpus);
  const seconds = (performance.now() - started) / 1000;
  const files = new Set(graph.files);
  assert.ok(
    graph.edges.every(([from, to]) => files.has(from) && files.has(to) && from !== to),
    `${corpus.name}: edge outside the corpus`,
  );
  const linked = new Set(graph.edges.flat()).size;
  /** @type {Record<string, number>} */
  const kinds = {};
  for (const types of Object.values(graph.dependencyTypes ?? {})) {
    for (const type of types) if (type !== "local") kinds[type] = (kinds[type] ?? 0) + 1;
  }
  rows.push({
    corpus: corpus.name,
    language: corpus.language,
    files: graph.files.length,
    edges: graph.edges.length,
    "files in an edge": linked,
    "parse errors": graph.parseErrors?.length ?? "-",
    seconds: Number(seconds.toFixed(2)),
  });
  console.log(`${corpus.name} (${corpus.root})\n  ${corpus.note}`);
  if (Object.keys(kinds).length) console.log(`  edges by dependency type: ${JSON.stringify(kinds)}`);
  for (const error of graph.parseErrors ?? []) console.log(`  parse error: ${error.path}: ${error.reason}`);
}
console.table(rows);
const total = (/** @type {"files" | "edges"} */ field, /** @type {string} */ language) =>
  rows.filter((r) => r.language === language).reduce((sum, r) => sum + Number(r[field]), 0);
for (const language of ["js", "python"]) {
  console.log(`${language}: ${total("files", language)} files, ${total("edges", language)} edges`);
}
