/**
 * Resolution of import specifiers to files of the indexed project (paths relative to the repository root,
 * "/"-separated). An import that resolves to no project file is external: a package, a built-in module, or a
 * file outside the index.
 */
import type { PythonImport } from "./python-imports";

export type Resolution =
  | { kind: "internal"; path: string }
  | { kind: "external"; name: string }
  /** A relative import naming no indexed file: a typo, a generated file, or a source file not uploaded. */
  | { kind: "unresolved"; specifier: string }
  /** A relative import of a non-code file (Markdown, WebAssembly, JSON data, CSS, images): never a graph node. */
  | { kind: "asset"; specifier: string };

/**
 * Extensions of files a bundler or runtime imports that are not code the graph holds. A relative import ending in
 * one of them that names no indexed file is an asset import, not a broken one.
 */
const ASSET_EXTENSIONS = new Set(
  (
    "md mdx txt text wasm json json5 jsonc css scss sass less styl svg png jpg jpeg gif webp avif ico bmp html htm " +
    "sql graphql gql yaml yml toml xml csv tsv wgsl glsl frag vert woff woff2 ttf otf eot mp3 mp4 webm wav node " +
    "bin hbs ejs pug vue svelte astro"
  ).split(" "),
);

/** Whether a specifier names a non-code file by its extension ("./README.md", "./x.wasm?module"). */
export function isAssetSpecifier(specifier: string): boolean {
  const path = specifier.replace(/[?#].*$/, "");
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 && ASSET_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

/** `compilerOptions.baseUrl` and `paths` of the tsconfig that governs a file, `extends` already merged. */
export interface TsPaths {
  /** Directory of `baseUrl` relative to the repository root ("" = root); null when not set. */
  baseUrl: string | null;
  /** What `paths` targets are relative to: `baseUrl` when set, else the directory of the tsconfig declaring them. */
  pathsBase: string;
  paths: Record<string, string[]>;
}

/** TypeScript's order for an extensionless specifier (Node's CommonJS tries .js and .json, a subset). */
const JS_PROBE_EXTENSIONS = [".ts", ".tsx", ".d.ts", ".js", ".jsx", ".json"];
/** TypeScript's ESM convention: `./x.js` in source names `./x.ts` (or its declaration file). */
const TS_FOR_JS: Record<string, string[]> = {
  ".js": [".ts", ".tsx", ".d.ts"],
  ".mjs": [".mts", ".d.mts"],
  ".cjs": [".cts", ".d.cts"],
  ".jsx": [".tsx", ".d.ts"],
};

const TYPESCRIPT_SOURCE = /\.(ts|tsx|mts|cts)$/;

export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.replace(/\\/g, "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}

function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

function join(...parts: string[]): string {
  return normalizePath(parts.filter((part) => part !== "").join("/"));
}

/**
 * The file a path means: itself, its TypeScript source, with an extension added, or its directory's index.
 * From a TypeScript file, `./x.js` names x.ts even when a compiled x.js sits next to it, as for tsc.
 */
function probe(base: string, files: ReadonlySet<string>, fromTypeScript = false): string | null {
  const dot = base.lastIndexOf(".");
  const tsSources = dot > base.lastIndexOf("/") ? (TS_FOR_JS[base.slice(dot)] ?? []) : [];
  const tsSource = () => {
    for (const replacement of tsSources) {
      if (files.has(base.slice(0, dot) + replacement)) return base.slice(0, dot) + replacement;
    }
    return null;
  };
  if (fromTypeScript) {
    const found = tsSource();
    if (found) return found;
  }
  // The repository root itself ("" after normalising '.', '..' or '../..' from the top) has only an index.
  if (base !== "") {
    if (files.has(base)) return base;
    const found = tsSource();
    if (found) return found;
    for (const extension of JS_PROBE_EXTENSIONS) if (files.has(base + extension)) return base + extension;
  }
  for (const extension of JS_PROBE_EXTENSIONS) {
    const index = base === "" ? `index${extension}` : `${base}/index${extension}`;
    if (files.has(index)) return index;
  }
  return null;
}

/** The package name of a bare specifier: "lodash/fp" → "lodash", "@scope/pkg/x" → "@scope/pkg". */
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

export function resolveJsImport(
  fromFile: string,
  specifier: string,
  files: ReadonlySet<string>,
  tsPaths: TsPaths | null,
  /** package.json `imports`, targets already relative to the repository root, in condition order. */
  packageImports: Record<string, string[]> = {},
): Resolution {
  const fromTypeScript = TYPESCRIPT_SOURCE.test(fromFile);
  if (specifier.startsWith(".") || specifier.startsWith("/")) {
    const base = specifier.startsWith("/") ? normalizePath(specifier) : join(dirname(fromFile), specifier);
    const found = probe(base, files, fromTypeScript);
    if (found) return { kind: "internal", path: found };
    return isAssetSpecifier(specifier) ? { kind: "asset", specifier } : { kind: "unresolved", specifier };
  }
  // package.json "imports" (#alias): exact keys and one "*" wildcard.
  if (specifier.startsWith("#")) {
    for (const [key, targets] of Object.entries(packageImports)) {
      for (const target of targets) {
        const mapped = matchPattern(key, specifier, target);
        if (mapped === null) continue;
        const found = probe(normalizePath(mapped), files, fromTypeScript);
        if (found) return { kind: "internal", path: found };
      }
    }
  }
  if (tsPaths) {
    // The most specific pattern wins, as in TypeScript: the longest prefix before the "*".
    const patterns = Object.entries(tsPaths.paths).sort(
      (a, b) => b[0].indexOf("*") - a[0].indexOf("*") || b[0].length - a[0].length,
    );
    for (const [pattern, targets] of patterns) {
      for (const target of targets) {
        const mapped = matchPattern(pattern, specifier, target);
        if (mapped === null) continue;
        const found = probe(join(tsPaths.pathsBase, mapped), files, fromTypeScript);
        if (found) return { kind: "internal", path: found };
      }
    }
    if (tsPaths.baseUrl !== null) {
      const found = probe(join(tsPaths.baseUrl, specifier), files, fromTypeScript);
      if (found) return { kind: "internal", path: found };
    }
  }
  return { kind: "external", name: specifier.startsWith("node:") ? specifier : packageName(specifier) };
}

/** `pattern` with at most one "*": the target with the matched part substituted, or null. */
function matchPattern(pattern: string, specifier: string, target: string): string | null {
  const star = pattern.indexOf("*");
  if (star < 0) return pattern === specifier ? target : null;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  if (
    !specifier.startsWith(prefix) ||
    !specifier.endsWith(suffix) ||
    specifier.length < prefix.length + suffix.length
  ) {
    return null;
  }
  return target.replace("*", specifier.slice(prefix.length, specifier.length - suffix.length));
}

/**
 * Python source roots of a project: the repository root, every directory that holds top-level packages (a
 * package whose parent is not one: `src/` in the src layout, `backend/` in a monorepo), and any directory given.
 * Absolute imports are looked up under each.
 */
export function pythonSourceRoots(files: ReadonlySet<string>, extra: string[] = []): string[] {
  const roots = new Set<string>([""]);
  const isPackage = (directory: string) => files.has(directory ? `${directory}/__init__.py` : "__init__.py");
  for (const file of files) {
    if (!file.endsWith("/__init__.py")) continue;
    const parent = dirname(dirname(file));
    if (isPackage(parent)) continue;
    // Package data (test fixtures under a package) is not a source root: no directory above it is a package.
    let ancestor = parent;
    let insidePackage = false;
    while (ancestor !== "" && !insidePackage) {
      ancestor = dirname(ancestor);
      insidePackage = ancestor !== "" && isPackage(ancestor);
    }
    if (!insidePackage) roots.add(parent);
  }
  for (const root of extra) roots.add(normalizePath(root));
  return [...roots];
}

/**
 * Modules compiled into CPython (`sys.builtin_module_names`, 3.8-3.13): found before any directory on sys.path,
 * so a project file of the same name (a local `gc.py`) is never what `import gc` loads.
 */
const PYTHON_BUILTIN_MODULES = new Set([
  "_abc",
  "_ast",
  "_codecs",
  "_collections",
  "_functools",
  "_imp",
  "_io",
  "_locale",
  "_operator",
  "_signal",
  "_sre",
  "_stat",
  "_string",
  "_symtable",
  "_thread",
  "_tokenize",
  "_tracemalloc",
  "_typing",
  "_warnings",
  "_weakref",
  "atexit",
  "builtins",
  "errno",
  "faulthandler",
  "gc",
  "itertools",
  "marshal",
  "posix",
  "pwd",
  "sys",
  "time",
  "xxsubtype",
]);

/**
 * The project files a Python import binds directly, as CPython resolves them:
 * - `import a.b` → the module a.b (a/b.py or a/b/__init__.py), not the parents it also executes;
 * - `from m import x` with m a module → m; with m a package → each x that is a submodule, and the package's
 *   `__init__.py` only when a name that is not a submodule (an attribute defined there) or `*` is imported;
 * - `from . import x` is `from <this package> import x`, by the same rule.
 * Counting the package's `__init__.py` for `from . import sub` would add edges no import chain makes, and with
 * them cycles that are not in the code. External when nothing in the project matches.
 */
export function resolvePythonImport(
  fromFile: string,
  imported: PythonImport,
  files: ReadonlySet<string>,
  roots: string[],
): Resolution[] {
  const moduleFile = (dotted: string, root: string): string | null => {
    const base = join(root, dotted.split(".").join("/"));
    // A package shadows a module of the same name in one directory, as in CPython's path finder.
    if (files.has(join(base, "__init__.py"))) return join(base, "__init__.py");
    if (base !== "" && files.has(`${base}.py`)) return `${base}.py`;
    return null;
  };
  if (imported.level === 0 && PYTHON_BUILTIN_MODULES.has(imported.module.split(".")[0] ?? "")) {
    return [{ kind: "external", name: imported.module.split(".")[0] ?? "" }];
  }
  // Relative: level 1 = the importing file's package, each more dot one package up.
  let bases: string[];
  const ownDirectory = dirname(fromFile);
  if (imported.level > 0) {
    let directory = ownDirectory;
    for (let level = 1; level < imported.level; level += 1) directory = dirname(directory);
    bases = [directory];
  } else if (!files.has(join(ownDirectory, "__init__.py"))) {
    // A script or test outside any package runs with its own directory first on sys.path (python and pytest).
    bases = [ownDirectory, ...roots.filter((root) => root !== ownDirectory)];
  } else bases = roots;

  for (const base of bases) {
    const results: Resolution[] = [];
    // `from . import x` names the package directory itself; its module is its __init__.py when it has one.
    const module = moduleFile(imported.module, base);
    if (!imported.names.length) {
      if (module && imported.module) results.push({ kind: "internal", path: module });
    } else if (module && !module.endsWith("__init__.py")) {
      // A plain module: whatever is imported from it are its attributes.
      results.push({ kind: "internal", path: module });
    } else {
      // A package (or a namespace package, which has no module of its own): submodules, and attributes of it.
      const packageDir = join(base, imported.module.split(".").join("/"));
      let attributes = false;
      for (const name of imported.names) {
        const submodule = name === "*" ? null : moduleFile(name, packageDir);
        if (submodule) results.push({ kind: "internal", path: submodule });
        else attributes = true;
      }
      if (module && attributes) results.push({ kind: "internal", path: module });
    }
    if (results.length) return dedupe(results);
  }
  if (imported.level > 0) return [{ kind: "unresolved", specifier: `${".".repeat(imported.level)}${imported.module}` }];
  return [{ kind: "external", name: imported.module.split(".")[0] ?? "" }];
}

function dedupe(results: Resolution[]): Resolution[] {
  const seen = new Set<string>();
  return results.filter((result) => {
    const key =
      result.kind === "internal"
        ? result.path
        : result.kind === "external"
          ? `ext:${result.name}`
          : `${result.kind}:${result.specifier}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
