// Reference import graphs for the code-graph accuracy benchmark: what the server's graph SHOULD contain for a corpus,
// computed by independent, established tools - dependency-cruiser (TypeScript's own parser + webpack's
// enhanced-resolve) for JS/TS, and CPython's `ast` module plus a path-only resolver (bench/python-imports.py) for
// Python. The benchmark uploads `files` to the server and scores its edges against `edges` with compareEdges().
// dependency-cruiser needs Node 22: run with `npx node` / ./node_modules/.bin/node, not the system Node 20.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const PYTHON_SCRIPT = fileURLToPath(new URL("python-imports.py", import.meta.url));

/** Source extensions of the JS graph. .d.ts / .d.mts / .d.cts are covered by .ts / .mts / .cts. */
export const JS_EXTENSIONS = [".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts"];

/**
 * @typedef {object} Corpus
 * @property {string} name
 * @property {string} root absolute directory; every source file below it is uploaded
 * @property {"js" | "python"} language
 * @property {string} [tsConfig] absolute path of a tsconfig whose `paths` / `baseUrl` apply to the corpus
 * @property {string[]} [pythonRoots] Python source roots relative to root (default: root, plus root/src if it has .py)
 * @property {string[]} [exclude] directories relative to root to leave out of the corpus
 * @property {string} note what the corpus exercises
 */

const PYTHON_STDLIB = ["/root/.pyenv/versions/3.11.7/lib/python3.11", "/usr/lib/python3.11"].find((dir) =>
  existsSync(join(dir, "os.py")),
);

/**
 * Corpora already on this machine (see bench/graph-reference-selftest.mjs for their sizes). All are published
 * source trees, so their imports are real-world code, not fixtures written for the resolver under test.
 * Corpora whose root is missing on the machine at hand are left out.
 * @type {Corpus[]}
 */
export const CORPORA = /** @type {Corpus[]} */ ([
  {
    name: "zod-src",
    root: join(REPO, "node_modules/zod/src"),
    language: "js",
    tsConfig: join(REPO, "bench/corpora/zod-src.tsconfig.json"),
    note: "TS, ESM `./x.js` specifiers for ./x.ts, type-only imports, self-imports ('zod/v4') via tsconfig paths",
  },
  {
    name: "openai-src",
    root: join(REPO, "node_modules/openai/src"),
    language: "js",
    note: "TS (Stainless SDK), extensionless specifiers, directory index files, deep ../ chains, export-from barrels",
  },
  {
    name: "eslint",
    root: join(REPO, "node_modules/eslint"),
    language: "js",
    note: "plain CommonJS, extensionless require() including in function bodies, JSON requires (not edges)",
  },
  {
    name: "dependency-cruiser",
    root: join(REPO, "node_modules/dependency-cruiser"),
    language: "js",
    note: "plain ESM .mjs with explicit extensions, package.json `imports` ('#utl/x.mjs'), dynamic import(), .d.mts",
  },
  {
    name: "python-stdlib",
    // pyenv's copy has the test suite (Debian's /usr/lib/python3.11 does not); both are CPython 3.11.
    root: PYTHON_STDLIB ?? "/nonexistent",
    language: "python",
    // Third-party packages are not the stdlib; lib-dynload holds only C extensions, which are never graph nodes.
    exclude: ["site-packages"],
    note: "CPython 3.11 stdlib incl. its test suite: packages, relative imports, imports in functions/try, py2 fixtures",
  },
  {
    name: "llvm-lit",
    root: "/usr/lib/llvm-14/build/utils/lit",
    language: "python",
    note: "small project layout: lit.py script next to the lit/ package (package wins), tests/ and examples/",
  },
]).filter((corpus) => existsSync(corpus.root));

/**
 * Relative "/"-separated paths of the files under rootDir ending in one of `extensions`, skipping node_modules and
 * directories whose name starts with a dot (.git, .cache...). Dot-files themselves are kept.
 * @param {string} rootDir
 * @param {string[]} extensions e.g. JS_EXTENSIONS or [".py"]
 * @param {string[]} [exclude] directories relative to rootDir to skip as well
 * @returns {string[]} sorted
 */
export function listSourceFiles(rootDir, extensions, exclude = []) {
  const root = resolve(rootDir);
  const skipped = new Set(exclude.map((dir) => dir.replace(/^\/+|\/+$/g, "")));
  /** @type {string[]} */
  const found = [];
  /** @param {string} rel */
  const walk = (rel) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      // Follow symlinks like dependency-cruiser does (it stats), so both sides see the same files.
      const isDir = entry.isDirectory() || (entry.isSymbolicLink() && statSync(join(root, path)).isDirectory());
      if (isDir) {
        if (entry.name !== "node_modules" && !entry.name.startsWith(".") && !skipped.has(path)) walk(path);
      } else if (extensions.some((ext) => entry.name.endsWith(ext))) {
        found.push(path);
      }
    }
  };
  walk("");
  return found.sort();
}

/** @param {string} text */
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * @typedef {object} ReferenceGraph
 * @property {string[]} files the corpus: every source file, relative to the root (upload exactly these)
 * @property {Array<[string, string]>} edges internal import edges [from, to], deduplicated, sorted
 * @property {Record<string, string[]>} [dependencyTypes] JS only: dependency-cruiser's types per edge key
 *   ("from\u0000to"), e.g. ["local", "import", "type-only"], to break misses down by import kind
 * @property {Array<{ path: string, reason: string }>} [parseErrors] Python only: files without edges because they
 *   do not parse
 */

/**
 * The JS/TS import graph of rootDir as dependency-cruiser sees it, resolved the way TypeScript (and Node, where they
 * agree) would for source files. Only edges between two source files of the corpus are kept.
 * @param {string} rootDir
 * @param {{ tsConfig?: string, exclude?: string[] }} [options] tsConfig: a tsconfig.json whose `paths` / `baseUrl`
 *   apply to the corpus
 * @returns {Promise<ReferenceGraph>}
 */
export async function jsReferenceEdges(rootDir, options = {}) {
  // The real path: dependency-cruiser reports resolved (symlink-free) paths, so a root reached through a symlinked
  // node_modules would otherwise make every file look outside it.
  const root = realpathSync(resolve(rootDir));
  const exclude = options.exclude ?? [];
  const files = listSourceFiles(root, JS_EXTENSIONS, exclude);
  const fileSet = new Set(files);
  // Imported lazily: dependency-cruiser refuses to load on Node < 22, and the Python half does not need it.
  const { cruise } = await import("dependency-cruiser");

  // The TS extension order for a specifier without extension or a directory index, not dependency-cruiser's default
  // (.js .cjs .mjs .jsx before .ts .tsx .d.ts), which picks x.js over x.ts when a package ships both. .mjs/.cjs/.mts/
  // .cts are never probed by TypeScript or Node, so `./x` does not find x.mjs. .json last, as Node's require does
  // (JSON files are not graph nodes, but resolving them keeps `./data` from falling through to a data/ directory).
  const extensions = [".ts", ".tsx", ".d.ts", ".js", ".jsx", ".json"];

  const result = await cruise(
    ["."],
    {
      // Paths in the result are relative to baseDir, so cruising "." from the corpus root yields corpus paths.
      baseDir: root,
      // Without it dependency-cruiser transpiles TS to JS before extracting, which erases `import type`,
      // `export type ... from` and imports only used as types. true (not "specify") parses every JS/TS file,
      // .js included, with TypeScript's parser, which also never throws on syntax it cannot handle.
      tsPreCompilationDeps: true,
      // es6 = import / export-from / import() / import("x") types; cjs = require() / `import x = require()`.
      // Left out: "amd" (define([...]) is not an import the server is asked to find) and "tsd" (/// <reference>
      // directives are comments, not imports).
      moduleSystems: ["es6", "cjs"],
      // Drops node_modules, dot-directories and anything outside the root ("../..." relative to baseDir) both from
      // the scan and from the dependencies, so nothing outside the corpus is followed and parsed. The patterns match
      // paths relative to baseDir, so a corpus that itself lives under node_modules/ is still scanned.
      exclude: {
        path: [
          "(^|/)node_modules/",
          "(^|/)\\.[^/]+/",
          ...exclude.map((dir) => `^${escapeRegExp(dir.replace(/^\/+|\/+$/g, ""))}/`),
        ],
      },
      // Rules, orphans, metrics and reachability are not needed; this saves the analysis pass.
      validate: false,
      skipAnalysisNotInRules: true,
      enhancedResolveOptions: { extensions },
      ...(options.tsConfig ? { tsConfig: { fileName: resolve(options.tsConfig) } } : {}),
    },
    // Passed straight to enhanced-resolve. extensionAlias makes `./x.js` resolve to x.ts (then x.tsx, x.d.ts) even
    // when x.js exists too, as tsc does; dependency-cruiser's own fallback only tries .ts when x.js is missing.
    // fullySpecified lookups: each alias is tried as is, no extension appended.
    {
      extensionAlias: {
        ".js": [".ts", ".tsx", ".d.ts", ".js", ".jsx"],
        ".jsx": [".tsx", ".ts", ".d.ts", ".jsx", ".js"],
        ".mjs": [".mts", ".d.mts", ".mjs"],
        ".cjs": [".cts", ".d.cts", ".cjs"],
      },
    },
    // No transpile options: with tsPreCompilationDeps every file goes through TypeScript's parser untranspiled, so
    // the tsconfig's compilerOptions would not change what is extracted (only resolution uses the tsconfig).
  );
  const cruiseResult = /** @type {import("dependency-cruiser").ICruiseResult} */ (result.output);

  /** @type {Map<string, Set<string>>} */
  const edgeTypes = new Map();
  for (const module of cruiseResult.modules) {
    if (!fileSet.has(module.source)) continue;
    for (const dependency of module.dependencies) {
      if (dependency.couldNotResolve || dependency.coreModule) continue;
      if (!fileSet.has(dependency.resolved) || dependency.resolved === module.source) continue;
      const key = `${module.source}\u0000${dependency.resolved}`;
      const types = edgeTypes.get(key) ?? new Set();
      for (const type of dependency.dependencyTypes) types.add(type);
      edgeTypes.set(key, types);
    }
  }
  const keys = [...edgeTypes.keys()].sort();
  return {
    files,
    edges: keys.map(splitKey),
    dependencyTypes: Object.fromEntries(keys.map((key) => [key, [...(edgeTypes.get(key) ?? [])].sort()])),
  };
}

/**
 * The Python import graph of rootDir from bench/python-imports.py (semantics documented there).
 * @param {string} rootDir
 * @param {{ roots?: string[], exclude?: string[], python?: string }} [options] roots: source roots relative to
 *   rootDir, replacing the default (rootDir, plus rootDir/src when it has .py files); exclude: directories relative
 *   to rootDir to leave out
 * @returns {ReferenceGraph}
 */
export function pythonReferenceEdges(rootDir, options = {}) {
  const args = [
    PYTHON_SCRIPT,
    resolve(rootDir),
    ...(options.roots ?? []).flatMap((root) => ["--root", root]),
    ...(options.exclude ?? []).flatMap((dir) => ["--exclude", dir]),
  ];
  const child = spawnSync(options.python ?? "python3", args, { encoding: "utf8", maxBuffer: 1 << 30 });
  if (child.error) throw child.error;
  if (child.status !== 0) throw new Error(`python-imports.py failed (${child.status}): ${child.stderr}`);
  const { files, edges, parse_errors: parseErrors } = JSON.parse(child.stdout);
  return { files, edges, parseErrors };
}

/**
 * Reference graph of a corpus from CORPORA.
 * @param {Corpus} corpus
 * @returns {Promise<ReferenceGraph>}
 */
export async function referenceEdges(corpus) {
  return corpus.language === "python"
    ? pythonReferenceEdges(corpus.root, { roots: corpus.pythonRoots, exclude: corpus.exclude })
    : jsReferenceEdges(corpus.root, { tsConfig: corpus.tsConfig, exclude: corpus.exclude });
}

/**
 * The corpus's tsconfig as it would read at the corpus root (baseUrl rewritten relative to the root), for uploading
 * with the corpus as `tsconfig.json` so the server sees the same aliases. Null when the corpus has none. The bench
 * tsconfigs are plain JSON (no comments, no `extends`).
 * @param {Corpus} corpus
 * @returns {{ path: string, content: string } | null}
 */
export function rootTsConfig(corpus) {
  if (!corpus.tsConfig) return null;
  const config = JSON.parse(readFileSync(corpus.tsConfig, "utf8"));
  const { compilerOptions = {} } = config;
  // Without baseUrl, paths are relative to the tsconfig's own directory; pin that down before moving the file.
  const baseUrl = resolve(dirname(corpus.tsConfig), compilerOptions.baseUrl ?? ".");
  const rebased = relative(resolve(corpus.root), baseUrl).split("\\").join("/") || ".";
  const content = { compilerOptions: { ...compilerOptions, baseUrl: rebased } };
  return { path: "tsconfig.json", content: `${JSON.stringify(content, null, 2)}\n` };
}

/** @param {string} key */
const splitKey = (key) => /** @type {[string, string]} */ (key.split("\u0000"));

/**
 * Scores `ours` against `reference`, both lists of [from, to] compared as sets. Precision is 1 when ours is empty and
 * recall 1 when the reference is empty (nothing claimed / nothing to find).
 * @param {Array<[string, string]>} ours
 * @param {Array<[string, string]>} reference
 * @returns {{ precision: number, recall: number, truePositives: number, missing: Array<[string, string]>,
 *   extra: Array<[string, string]> }} missing: in the reference only; extra: in ours only (both sorted)
 */
export function compareEdges(ours, reference) {
  const key = (/** @type {[string, string]} */ [from, to]) => `${from}\u0000${to}`;
  const ourKeys = new Set(ours.map(key));
  const referenceKeys = new Set(reference.map(key));
  const missing = [...referenceKeys].filter((k) => !ourKeys.has(k)).sort();
  const extra = [...ourKeys].filter((k) => !referenceKeys.has(k)).sort();
  const truePositives = referenceKeys.size - missing.length;
  return {
    precision: ourKeys.size ? truePositives / ourKeys.size : 1,
    recall: referenceKeys.size ? truePositives / referenceKeys.size : 1,
    truePositives,
    missing: missing.map(splitKey),
    extra: extra.map(splitKey),
  };
}
