import { describe, expect, it } from "vitest";
import { extractJsImports } from "../../src/domain/code/js-imports";
import { extractPythonImports } from "../../src/domain/code/python-imports";
import { pythonSourceRoots, resolveJsImport, resolvePythonImport } from "../../src/domain/code/resolve";
import type { PythonImport } from "../../src/domain/code/python-imports";

describe("JavaScript/TypeScript imports", () => {
  it("finds every import form and nothing in strings or comments", () => {
    const source = `
      import React, { useState } from "react";
      import type { Config } from "./config";
      import "./polyfill.js";
      export { helper } from "../lib/helper";
      export * from "./types";
      import fs = require("node:fs");
      const path = require('path');
      const lazy = await import("./lazy");
      const tpl = require(\`./template\`);
      // import fake from "./commented";
      const text = "import notReal from './in-string'";
      /* require("./block-comment") */
      const dynamicNonLiteral = import(name);
      export default function App(): JSX.Element { return null as any; }
    `;
    const result = extractJsImports("src/app.ts", source);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.imports.map((i) => [i.specifier, i.kind])).toEqual([
      ["react", "static"],
      ["./config", "type"],
      ["./polyfill.js", "static"],
      ["../lib/helper", "reexport"],
      ["./types", "reexport"],
      ["node:fs", "import-equals"],
      ["path", "require"],
      ["./lazy", "dynamic"],
      ["./template", "require"],
    ]);
  });

  it("parses JSX in .tsx/.jsx and reports a file that does not parse, with the reason", () => {
    const tsx = extractJsImports(
      "src/View.tsx",
      `import { Button } from "./Button";\nexport const V = () => <Button />;`,
    );
    expect(tsx).toMatchObject({ ok: true, imports: [{ specifier: "./Button", kind: "static", line: 1 }] });
    const broken = extractJsImports("src/broken.ts", "import { from './x';");
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.reason).toMatch(/\(1:\d+\)/);
  });
});

describe("Python imports", () => {
  it("handles aliases, relative and parenthesised imports, continuations, and nested blocks", () => {
    const source = [
      "import os, sys as system",
      "import a.b.c as abc",
      "from . import sibling",
      "from ..pkg.mod import (one,",
      "    two as deux,  # a comment",
      "    three)",
      "from x import \\",
      "    y",
      "try:",
      "    import ujson as json",
      "except ImportError:",
      "    import json",
      "def load():",
      "    from .plugins import *",
      "if TYPE_CHECKING: import typing_extensions",
      "x = 1; import late",
      "raise ValueError('x') from None",
    ].join("\n");
    const result = extractPythonImports(source);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.imports.map((i) => [i.module, i.level, i.names.join(",")])).toEqual([
      ["os", 0, ""],
      ["sys", 0, ""],
      ["a.b.c", 0, ""],
      ["", 1, "sibling"],
      ["pkg.mod", 2, "one,two,three"],
      ["x", 0, "y"],
      ["ujson", 0, ""],
      ["json", 0, ""],
      ["plugins", 1, "*"],
      ["typing_extensions", 0, ""],
      ["late", 0, ""],
    ]);
    expect(result.imports.find((i) => i.module === "pkg.mod")?.line).toBe(4);
  });

  it("never reads imports out of strings or comments", () => {
    const source = [
      '"""',
      "import not_real",
      '"""',
      "doc = 'from fake import thing'",
      "# import commented",
      'text = f"import {x}"',
      "raw = r'\\nimport nope'",
      "import real",
    ].join("\n");
    const result = extractPythonImports(source);
    expect(result).toMatchObject({ ok: true, imports: [{ module: "real", line: 8 }] });
    expect(extractPythonImports('x = """never closed\nimport a').ok).toBe(false);
  });
});

describe("import resolution", () => {
  const js = new Set([
    "src/app.ts",
    "src/lib/helper.ts",
    "src/lib/index.ts",
    "src/components/Button.tsx",
    "src/esm/util.ts",
    "packages/ui/src/index.ts",
    "src/data.json",
  ]);

  it("resolves relative paths with extension and index probing, .js naming .ts, paths, baseUrl and #imports", () => {
    const resolve = (specifier: string, from = "src/app.ts") =>
      resolveJsImport(
        from,
        specifier,
        js,
        {
          baseUrl: "src",
          pathsBase: "src",
          paths: { "@ui/*": ["../packages/ui/src/*"], "@ui": ["../packages/ui/src/index.ts"] },
        },
        { "#lib/*": ["./src/lib/*.ts"] },
      );
    expect(resolve("./lib/helper")).toEqual({ kind: "internal", path: "src/lib/helper.ts" });
    expect(resolve("./lib")).toEqual({ kind: "internal", path: "src/lib/index.ts" });
    expect(resolve("./esm/util.js")).toEqual({ kind: "internal", path: "src/esm/util.ts" });
    expect(resolve("../app", "src/components/Button.tsx")).toEqual({ kind: "internal", path: "src/app.ts" });
    expect(resolve("./data.json")).toEqual({ kind: "internal", path: "src/data.json" });
    expect(resolve("@ui")).toEqual({ kind: "internal", path: "packages/ui/src/index.ts" });
    expect(resolve("components/Button")).toEqual({ kind: "internal", path: "src/components/Button.tsx" });
    expect(resolve("#lib/helper")).toEqual({ kind: "internal", path: "src/lib/helper.ts" });
    expect(resolve("lodash/fp")).toEqual({ kind: "external", name: "lodash" });
    expect(resolve("@scope/pkg/deep")).toEqual({ kind: "external", name: "@scope/pkg" });
    expect(resolve("node:fs")).toEqual({ kind: "external", name: "node:fs" });
    expect(resolve("./missing")).toEqual({ kind: "unresolved", specifier: "./missing" });
  });

  it("resolves Python modules, packages and submodules under the detected source roots", () => {
    const py = new Set([
      "src/shop/__init__.py",
      "src/shop/cart.py",
      "src/shop/payments/__init__.py",
      "src/shop/payments/stripe.py",
      "tests/test_cart.py",
    ]);
    const roots = pythonSourceRoots(py);
    expect(roots).toEqual(["", "src"]);
    const resolve = (from: string, module: string, level = 0, names: string[] = []) =>
      resolvePythonImport(from, { module, level, names, line: 1 }, py, roots);
    expect(resolve("tests/test_cart.py", "shop.cart")).toEqual([{ kind: "internal", path: "src/shop/cart.py" }]);
    expect(resolve("tests/test_cart.py", "shop.payments")).toEqual([
      { kind: "internal", path: "src/shop/payments/__init__.py" },
    ]);
    expect(resolve("src/shop/cart.py", "payments", 1, ["stripe"])).toEqual([
      { kind: "internal", path: "src/shop/payments/stripe.py" },
    ]);
    // `from .. import cart` binds the submodule: the package's __init__.py is no edge of its own.
    expect(resolve("src/shop/payments/stripe.py", "", 2, ["cart"])).toEqual([
      { kind: "internal", path: "src/shop/cart.py" },
    ]);
    expect(resolve("src/shop/cart.py", "requests")).toEqual([{ kind: "external", name: "requests" }]);
  });

  it("follows CPython where the bench found differences: builtins, package over module, roots, script directories", () => {
    const py = new Set([
      "lit.py",
      "lit/__init__.py",
      "lit/main.py",
      "backend/app/__init__.py",
      "backend/app/models.py",
      "pkg/__init__.py",
      "pkg/tests/__init__.py",
      "pkg/tests/data/fixers/myfixes/__init__.py",
      "scripts/gc.py",
      "scripts/run.py",
      "scripts/helper.py",
    ]);
    const roots = pythonSourceRoots(py);
    // backend/ holds a top-level package (monorepo); fixtures inside the pkg package are not a source root.
    expect(roots.sort()).toEqual(["", "backend"]);
    const resolve = (from: string, module: string) =>
      resolvePythonImport(from, { module, level: 0, names: [], line: 1 }, py, roots);
    expect(resolve("lit/main.py", "lit")).toEqual([{ kind: "internal", path: "lit/__init__.py" }]);
    expect(resolve("scripts/run.py", "gc")).toEqual([{ kind: "external", name: "gc" }]);
    expect(resolve("scripts/run.py", "helper")).toEqual([{ kind: "internal", path: "scripts/helper.py" }]);
    expect(resolve("lit/main.py", "helper")).toEqual([{ kind: "external", name: "helper" }]);
    expect(resolve("scripts/run.py", "app.models")).toEqual([{ kind: "internal", path: "backend/app/models.py" }]);
  });
});

describe("TypeScript resolution details", () => {
  it("prefers the TypeScript source from TypeScript, maps .mjs to .d.mts, and parses declaration files", () => {
    const files = new Set(["src/a.ts", "src/b.ts", "src/b.js", "types/x.d.mts", "types/index.d.mts", "lib/c.js"]);
    expect(resolveJsImport("src/a.ts", "./b.js", files, null)).toEqual({ kind: "internal", path: "src/b.ts" });
    expect(resolveJsImport("lib/c.js", "../src/b.js", files, null)).toEqual({ kind: "internal", path: "src/b.js" });
    expect(resolveJsImport("types/index.d.mts", "./x.mjs", files, null)).toEqual({
      kind: "internal",
      path: "types/x.d.mts",
    });
    const declaration = extractJsImports(
      "types/index.d.mts",
      'export declare const x: number;\nexport const y: string;\nimport type { Z } from "./x.mjs";',
    );
    expect(declaration).toEqual({ ok: true, imports: [{ specifier: "./x.mjs", kind: "type", line: 3 }] });
  });
});

describe("regressions from real repositories", () => {
  it("resolves imports of the indexed root's own index ('.', './', '..', '../..')", () => {
    const files = new Set(["index.ts", "main.ts", "src/a.ts", "lib/deep/x.ts", "sub/index.ts", "sub/b.ts"]);
    const root = { kind: "internal", path: "index.ts" };
    expect(resolveJsImport("main.ts", ".", files, null)).toEqual(root);
    expect(resolveJsImport("main.ts", "./", files, null)).toEqual(root);
    expect(resolveJsImport("src/a.ts", "..", files, null)).toEqual(root);
    expect(resolveJsImport("src/a.ts", "../", files, null)).toEqual(root);
    expect(resolveJsImport("lib/deep/x.ts", "../..", files, null)).toEqual(root);
    expect(resolveJsImport("sub/b.ts", "./", files, null)).toEqual({ kind: "internal", path: "sub/index.ts" });
    // Without a root index nothing is invented: no ".ts" or "/index.ts" file.
    expect(resolveJsImport("src/a.ts", "..", new Set(["src/a.ts", ".ts"]), null)).toEqual({
      kind: "unresolved",
      specifier: "..",
    });
  });

  it("classifies imports of non-code files (.md, .wasm, .css, JSON data) as assets, not unresolved", () => {
    const files = new Set(["src/app.ts"]);
    const resolve = (specifier: string) => resolveJsImport("src/app.ts", specifier, files, null);
    expect(resolve("./prompts/system.md")).toEqual({ kind: "asset", specifier: "./prompts/system.md" });
    expect(resolve("../vendor/kernel.wasm")).toEqual({ kind: "asset", specifier: "../vendor/kernel.wasm" });
    expect(resolve("./styles.css?inline")).toEqual({ kind: "asset", specifier: "./styles.css?inline" });
    expect(resolve("./data.json")).toEqual({ kind: "asset", specifier: "./data.json" });
    expect(resolve("./missing")).toEqual({ kind: "unresolved", specifier: "./missing" });
    expect(resolve("./missing.js")).toEqual({ kind: "unresolved", specifier: "./missing.js" });
  });

  it("gives a package's __init__.py an edge only when a name that is not a submodule is imported from it", () => {
    const py = new Set(["pkg/__init__.py", "pkg/models.py", "pkg/api.py", "pkg/sub/__init__.py", "pkg/sub/x.py"]);
    const roots = pythonSourceRoots(py);
    const resolve = (from: string, module: string, level: number, names: string[]) =>
      resolvePythonImport(from, { module, level, names, line: 1 } satisfies PythonImport, py, roots).map((r) =>
        r.kind === "internal" ? r.path : `${r.kind}`,
      );
    expect(resolve("pkg/api.py", "", 1, ["models"])).toEqual(["pkg/models.py"]);
    expect(resolve("pkg/api.py", "", 1, ["__version__"])).toEqual(["pkg/__init__.py"]);
    expect(resolve("pkg/api.py", "", 1, ["models", "__version__"])).toEqual(["pkg/models.py", "pkg/__init__.py"]);
    expect(resolve("pkg/api.py", "", 1, ["*"])).toEqual(["pkg/__init__.py"]);
    expect(resolve("pkg/api.py", "models", 1, ["User"])).toEqual(["pkg/models.py"]);
    expect(resolve("pkg/api.py", "sub", 1, ["x"])).toEqual(["pkg/sub/x.py"]);
    expect(resolve("pkg/api.py", "pkg.sub", 0, ["x", "helper"])).toEqual(["pkg/sub/x.py", "pkg/sub/__init__.py"]);
    expect(resolve("pkg/api.py", "pkg.sub", 0, [])).toEqual(["pkg/sub/__init__.py"]);
  });

  it("marks type-only imports: TS `import type`/`export type`/all-`type` braces, Python `if TYPE_CHECKING:`", () => {
    const ts = extractJsImports(
      "src/a.ts",
      [
        'import type { A } from "./a";',
        'import { type B, type C } from "./b";',
        'import { type D, e } from "./d";',
        'export type { F } from "./f";',
        'import {} from "./side-effect";',
        'let env: import("./env").Env;',
      ].join("\n"),
    );
    expect(ts.ok && ts.imports.map((i) => [i.specifier, i.kind])).toEqual([
      ["./a", "type"],
      ["./b", "type"],
      ["./d", "static"],
      ["./f", "type"],
      ["./side-effect", "static"],
      ["./env", "type"],
    ]);
    const py = extractPythonImports(
      [
        "from __future__ import annotations",
        "import typing",
        "from typing import TYPE_CHECKING",
        "if TYPE_CHECKING:",
        "    from .models import User",
        "",
        "    # a comment inside the block",
        "    import pkg.api",
        "else:",
        "    from .runtime import fallback",
        "if typing.TYPE_CHECKING: from .types import T",
        "def f():",
        "    if TYPE_CHECKING:",
        "        from .deep import D",
        "    from .late import L",
        "from .after import Z",
      ].join("\n"),
    );
    expect(py.ok && py.imports.map((i) => [i.module, i.typeOnly ?? false])).toEqual([
      ["__future__", false],
      ["typing", false],
      ["typing", false],
      ["models", true],
      ["pkg.api", true],
      ["runtime", false],
      ["types", true],
      ["deep", true],
      ["late", false],
      ["after", false],
    ]);
  });
});
