import { describe, expect, it } from "vitest";
import { extractJsImports } from "../../src/domain/code/js-imports";
import { extractPythonImports } from "../../src/domain/code/python-imports";

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
