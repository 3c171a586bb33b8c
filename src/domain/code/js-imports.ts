/**
 * Import specifiers of a JavaScript/TypeScript module, from its syntax tree (@babel/parser): static imports,
 * `export … from`, `import type`, `require()` and dynamic `import()` with a literal, `import x = require()`, and
 * `import("./x").T` types.
 * Strings and comments never count, because only AST nodes are read. Resolution to files is separate.
 */
import { parse, type ParserPlugin } from "@babel/parser";

export type ImportKind = "static" | "type" | "reexport" | "require" | "dynamic" | "import-equals";

export interface ImportSpecifier {
  specifier: string;
  kind: ImportKind;
  line: number;
}

export type ExtractResult = { ok: true; imports: ImportSpecifier[] } | { ok: false; reason: string };

export const JS_EXTENSIONS = [".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts"] as const;

function pluginsFor(path: string): ParserPlugin[] {
  const lower = path.toLowerCase();
  const typescript = /\.(ts|tsx|mts|cts)$/.test(lower);
  // JSX is ambiguous with TS type assertions in .ts files, so it is enabled only where it can occur.
  const jsx = lower.endsWith(".tsx") || lower.endsWith(".jsx") || lower.endsWith(".js");
  return [
    // Declaration files are ambient: `export const x: T;` is valid there and nowhere else.
    ...(typescript ? ([["typescript", { dts: /\.d\.[cm]?ts$/.test(lower) }]] as ParserPlugin[]) : []),
    ...(jsx ? (["jsx"] as ParserPlugin[]) : []),
    // Import attributes (`with { type: "json" }`) are standard syntax in Babel 8, no plugin needed.
    "decorators",
  ];
}

interface Node {
  type: string;
  [key: string]: unknown;
}

/**
 * `import type …`, `export type … from`, or braces holding only `type` specifiers (`import { type A }`): erased by
 * TypeScript, so no runtime dependency. A bare `import {} from` or `import "x"` is a side-effect import, not type.
 */
function isTypeOnly(node: Node): boolean {
  if (node.importKind === "type" || node.exportKind === "type") return true;
  const specifiers = (node.specifiers as Node[] | undefined) ?? [];
  return (
    specifiers.length > 0 &&
    specifiers.every(
      (specifier) =>
        (specifier.type === "ImportSpecifier" && specifier.importKind === "type") ||
        (specifier.type === "ExportSpecifier" && specifier.exportKind === "type"),
    )
  );
}

export function extractJsImports(path: string, source: string): ExtractResult {
  let ast: Node;
  try {
    ast = parse(source, {
      sourceType: "unambiguous",
      plugins: pluginsFor(path),
      errorRecovery: false,
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
      allowImportExportEverywhere: true,
    }) as unknown as Node;
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const imports: ImportSpecifier[] = [];
  const line = (node: Node) => ((node.loc as { start?: { line?: number } } | undefined)?.start?.line ?? 0) as number;
  const literal = (node: unknown): string | null => {
    const candidate = node as Node | null | undefined;
    if (candidate?.type === "StringLiteral") return candidate.value as string;
    // `require(\`./x\`)` with no interpolation is a literal too.
    if (candidate?.type === "TemplateLiteral" && (candidate.expressions as unknown[]).length === 0) {
      return ((candidate.quasis as Array<{ value: { cooked: string } }>)[0]?.value.cooked ?? null) as string | null;
    }
    return null;
  };

  const visit = (node: Node) => {
    switch (node.type) {
      case "ImportDeclaration": {
        const source = literal(node.source);
        if (source !== null) {
          imports.push({ specifier: source, kind: isTypeOnly(node) ? "type" : "static", line: line(node) });
        }
        break;
      }
      case "ExportNamedDeclaration":
      case "ExportAllDeclaration": {
        const source = literal(node.source);
        if (source !== null) {
          imports.push({ specifier: source, kind: isTypeOnly(node) ? "type" : "reexport", line: line(node) });
        }
        break;
      }
      case "TSImportEqualsDeclaration": {
        const reference = node.moduleReference as Node;
        if (reference.type === "TSExternalModuleReference") {
          const source = literal(reference.expression);
          if (source !== null) imports.push({ specifier: source, kind: "import-equals", line: line(node) });
        }
        break;
      }
      case "CallExpression": {
        const callee = node.callee as Node;
        const [first] = node.arguments as Node[];
        const source = literal(first);
        if (source !== null && callee.type === "Import") {
          imports.push({ specifier: source, kind: "dynamic", line: line(node) });
        } else if (source !== null && callee.type === "Identifier" && callee.name === "require") {
          imports.push({ specifier: source, kind: "require", line: line(node) });
        }
        break;
      }
      // `import("./x").T` in a type position: a type-only dependency, as tsc and dependency-cruiser see it.
      case "TSImportType": {
        const source = literal(node.source ?? node.argument);
        if (source !== null) imports.push({ specifier: source, kind: "type", line: line(node) });
        break;
      }
      case "ImportExpression": {
        const source = literal(node.source);
        if (source !== null) imports.push({ specifier: source, kind: "dynamic", line: line(node) });
        break;
      }
    }
    for (const key of Object.keys(node)) {
      if (key === "loc" || key === "start" || key === "end" || key === "extra" || key.endsWith("Comments")) continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const child of value) if (child && typeof child === "object" && "type" in child) visit(child as Node);
      } else if (value && typeof value === "object" && "type" in value) visit(value as Node);
    }
  };
  visit(ast);
  return { ok: true, imports };
}
