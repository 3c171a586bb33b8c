/**
 * The resolved import graph of one generation of the code index: built from the stored facts of every file
 * (buildSnapshot), stored as a compact snapshot, and queried through CodeGraph.
 */
import { AppError } from "../core/app-error";
import type { StoredCodeFile } from "./ports";
import { ImportGraph } from "./graph";
import type { ImportKind } from "./js-imports";
import { ProjectConfig, type ConfigFacts } from "./project-config";
import { normalizePath, pythonSourceRoots, resolveJsImport, resolvePythonImport, type Resolution } from "./resolve";
import { plural } from "../core/plural";

const KIND_CODES: Record<ImportKind | "python", string> = {
  static: "s",
  type: "t",
  reexport: "r",
  require: "q",
  dynamic: "d",
  "import-equals": "e",
  python: "p",
};
/** An edge whose only kind is this one exists for type checkers only (`import type`, `if TYPE_CHECKING:`). */
const TYPE_ONLY = KIND_CODES.type;

/**
 * Bumped whenever resolution changes what a snapshot holds: a stored snapshot of another version is rebuilt from
 * the files on the next query, so a fix reaches projects indexed before it without a re-upload.
 * 2: the root's own index resolved, Python `from pkg import sub` without pkg/__init__.py, asset imports, configs.
 */
export const SNAPSHOT_VERSION = 2;

/** The resolved graph of one generation, as stored; indices point into `files`. */
export interface GraphSnapshot {
  version: typeof SNAPSHOT_VERSION;
  generation: number;
  /** Source files: the graph's nodes. */
  files: string[];
  /** Config files (tsconfig, package.json) that steered resolution; indexed, but never graph nodes. */
  configFiles: number;
  /** [from, to, kind codes] — one edge per file pair, all ways it is imported. */
  edges: Array<[number, number, string]>;
  external: Array<[number, string]>;
  unresolved: Array<[number, string]>;
  /** Relative imports of non-code files (.md, .wasm, .css, JSON data…). */
  assets: Array<[number, string]>;
  parseErrors: Array<[number, string]>;
}

export interface GraphStats {
  files: number;
  configFiles: number;
  internalEdges: number;
  externalPackages: number;
  unresolved: number;
  assetImports: number;
  cycles: number;
  /** Cycles that exist only through type-only imports: none of them is a cycle at runtime. */
  typeOnlyCycles: number;
  parseErrors: number;
}

/** Resolves every stored import against the files and configs of the same generation. */
export function buildSnapshot(stored: StoredCodeFile[], generation: number): GraphSnapshot {
  const configs = new Map<string, ConfigFacts>();
  const sources: StoredCodeFile[] = [];
  let configFiles = 0;
  for (const file of stored) {
    if (file.language !== "config") sources.push(file);
    else {
      configFiles += 1;
      if ("config" in file.facts) configs.set(file.path, file.facts.config);
    }
  }
  sources.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const files = sources.map((file) => file.path);
  const indexOf = new Map(files.map((path, index) => [path, index]));
  const jsFiles = new Set(sources.filter((f) => f.language !== "python").map((f) => f.path));
  const pyFiles = new Set(sources.filter((f) => f.language === "python").map((f) => f.path));
  const config = new ProjectConfig(configs);
  const roots = pythonSourceRoots(pyFiles);

  const edgeKinds = new Map<string, Set<string>>();
  const external: Array<[number, string]> = [];
  const unresolved: Array<[number, string]> = [];
  const assets: Array<[number, string]> = [];
  const parseErrors: Array<[number, string]> = [];
  sources.forEach((file, from) => {
    if (file.parseError !== null) parseErrors.push([from, file.parseError]);
    const seen = new Set<string>();
    const once = (list: Array<[number, string]>, key: string, value: string) => {
      if (!seen.has(key)) list.push([from, value]);
      seen.add(key);
    };
    const record = (resolution: Resolution, kind: string) => {
      if (resolution.kind === "internal") {
        const to = indexOf.get(resolution.path);
        if (to === undefined || to === from) return;
        const key = `${from},${to}`;
        const kinds = edgeKinds.get(key) ?? new Set<string>();
        kinds.add(kind);
        edgeKinds.set(key, kinds);
      } else if (resolution.kind === "external") once(external, `e:${resolution.name}`, resolution.name);
      else if (resolution.kind === "asset") once(assets, `a:${resolution.specifier}`, resolution.specifier);
      else once(unresolved, `u:${resolution.specifier}`, resolution.specifier);
    };
    if ("js" in file.facts) {
      const tsPaths = config.tsPathsFor(file.path);
      const packageImports = config.packageImportsFor(file.path);
      for (const imported of file.facts.js) {
        record(
          resolveJsImport(file.path, imported.specifier, jsFiles, tsPaths, packageImports),
          KIND_CODES[imported.kind],
        );
      }
    } else if ("python" in file.facts) {
      for (const imported of file.facts.python) {
        const kind = imported.typeOnly ? KIND_CODES.type : KIND_CODES.python;
        for (const resolution of resolvePythonImport(file.path, imported, pyFiles, roots)) record(resolution, kind);
      }
    }
  });
  const edges: Array<[number, number, string]> = [...edgeKinds].map(([key, kinds]) => {
    const [from, to] = key.split(",").map(Number) as [number, number];
    return [from, to, [...kinds].sort().join("")];
  });
  return {
    version: SNAPSHOT_VERSION,
    generation,
    files,
    configFiles,
    edges,
    external,
    unresolved,
    assets,
    parseErrors,
  };
}

export function graphStats(graph: CodeGraph): GraphStats {
  const snapshot = graph.snapshot;
  const groups = graph.cycleGroups();
  return {
    files: snapshot.files.length,
    configFiles: snapshot.configFiles,
    internalEdges: snapshot.edges.length,
    externalPackages: new Set(snapshot.external.map(([, name]) => name)).size,
    unresolved: snapshot.unresolved.length,
    assetImports: snapshot.assets.length,
    cycles: groups.length,
    typeOnlyCycles: groups.filter((group) => group.type_only).length,
    parseErrors: snapshot.parseErrors.length,
  };
}

const KIND_NAMES: Record<string, string> = Object.fromEntries(
  Object.entries(KIND_CODES).map(([name, code]) => [code, name === "python" ? "import" : name]),
);

/** Risk levels' test-file detection: the files a developer should run after a change. */
const TEST_FILE = /(^|\/)(tests?|__tests__|spec)\/|\.(test|spec)\.[cm]?[jt]sx?$|(^|\/)test_[^/]*\.py$|_test\.py$/;

/** Queries over one generation of the graph. */
export class CodeGraph {
  readonly graph: ImportGraph;
  /** The same files without type-only edges: what exists when the code runs. */
  readonly runtime: ImportGraph;
  private readonly externalOf = new Map<string, string[]>();
  private readonly unresolvedOf = new Map<string, string[]>();
  private readonly assetsOf = new Map<string, string[]>();
  private readonly parseErrorOf = new Map<string, string>();
  private readonly kinds = new Map<string, string>();
  private runtimeCyclic: Set<string> | undefined;

  constructor(
    readonly snapshot: GraphSnapshot,
    private readonly projectSlug: string,
  ) {
    const name = (index: number) => snapshot.files[index] as string;
    this.graph = new ImportGraph(
      snapshot.edges.map(([from, to]) => [name(from), name(to)] as const),
      snapshot.files,
    );
    this.runtime = new ImportGraph(
      snapshot.edges.filter(([, , kinds]) => kinds !== TYPE_ONLY).map(([from, to]) => [name(from), name(to)] as const),
      snapshot.files,
    );
    for (const [from, to, kinds] of snapshot.edges) this.kinds.set(`${name(from)}\u0000${name(to)}`, kinds);
    for (const [from, packageName] of snapshot.external) push(this.externalOf, name(from), packageName);
    for (const [from, specifier] of snapshot.unresolved) push(this.unresolvedOf, name(from), specifier);
    for (const [from, specifier] of snapshot.assets) push(this.assetsOf, name(from), specifier);
    for (const [from, reason] of snapshot.parseErrors) this.parseErrorOf.set(name(from), reason);
  }

  get fileCount(): number {
    return this.snapshot.files.length;
  }

  /** Whether `file` is on an import cycle that remains when type-only imports are erased. */
  onRuntimeCycle(file: string): boolean {
    this.runtimeCyclic ??= new Set(this.runtime.components().flatMap((group) => (group.length > 1 ? group : [])));
    return this.runtimeCyclic.has(file);
  }

  /**
   * Every cycle group (files that import each other, directly or not), with one concrete cycle through it — a
   * runtime one when there is one — and whether it exists only through type-only imports.
   */
  cycleGroups(): Array<{ cycle: string[]; files: string[]; type_only: boolean }> {
    return this.graph
      .components()
      .filter((group) => group.length > 1)
      .map((files) => {
        const onRuntime = files.find((file) => this.onRuntimeCycle(file));
        const cycle = onRuntime
          ? (this.runtime.cycleFrom(onRuntime) as string[])
          : (this.graph.cycleFrom(files[0] as string) as string[]);
        return { cycle, files, type_only: onRuntime === undefined };
      });
  }

  /**
   * The indexed file a caller means: the exact path, else the one indexed path that is a suffix of it at a
   * separator (an absolute path from a stack trace) or that ends with it ("auth.py" when only one matches).
   * Anything else is a not_found error that says how to index.
   */
  locate(raw: string, field = "file_path"): string {
    const path = normalizePath(raw.replace(/^[A-Za-z]:/, ""));
    if (this.graph.has(path)) return path;
    const matches = this.snapshot.files.filter((file) => path.endsWith(`/${file}`) || file.endsWith(`/${path}`));
    if (matches.length === 1) return matches[0] as string;
    if (matches.length > 1) {
      throw new AppError(
        "invalid_input",
        `${field}: "${raw}" matches ${matches.length} indexed files (${matches.slice(0, 5).join(", ")}` +
          `${matches.length > 5 ? ", …" : ""}); give the path relative to the repository root.`,
        { details: { field, candidates: matches.slice(0, 20) } },
      );
    }
    throw this.notIndexed([raw], field);
  }

  notIndexed(paths: string[], field: string): AppError {
    const how =
      `Index the repository first: run \`npx coding-memory index .\` in its root (uploads only changed files), ` +
      `or send the files with coding_index_files / POST /api/v1/projects/${this.projectSlug}/files.`;
    const what =
      this.fileCount === 0
        ? `Project ${this.projectSlug} has no indexed code yet.`
        : `${paths.map((path) => `"${path}"`).join(", ")} ${paths.length === 1 ? "is" : "are"} not in the code index of project ${this.projectSlug} (${plural(this.fileCount, "file")} indexed).`;
    return new AppError("not_found", `${what} ${how}`, { details: { field, paths } });
  }

  kindsOf(from: string, to: string): string[] {
    return [...(this.kinds.get(`${from}\u0000${to}`) ?? "")].map((code) => KIND_NAMES[code] ?? code);
  }

  dependencies(file: string) {
    const runtimeCycle = this.onRuntimeCycle(file);
    const cycle = runtimeCycle ? this.runtime.cycleFrom(file) : this.graph.cycleFrom(file);
    const group = this.graph.componentOf(file);
    return {
      file_path: file,
      imports: this.graph.imports(file),
      imported_by: this.graph.importedBy(file),
      external_imports: [...(this.externalOf.get(file) ?? [])].sort(),
      unresolved_imports: this.unresolvedOf.get(file) ?? [],
      asset_imports: this.assetsOf.get(file) ?? [],
      import_depth: this.graph.depths().get(file) ?? 0,
      circular_deps: cycle ? [cycle] : [],
      /** On a cycle only through type-only imports: at runtime the file is on none. */
      cycle_type_only: cycle !== null && !runtimeCycle,
      cycle_group: group.length > 1 ? group : [],
      parse_error: this.parseErrorOf.get(file) ?? null,
    };
  }

  impact(file: string) {
    const dependents = this.graph.dependents(file);
    const direct = this.graph.importedBy(file);
    const affected = [...dependents].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([path]) => path);
    const tests = affected.filter((path) => TEST_FILE.test(path));
    const group = this.graph.componentOf(file);
    return {
      file_path: file,
      direct_dependents: direct,
      affected_files: affected,
      affected_count: affected.length,
      max_distance: Math.max(0, ...dependents.values()),
      tests_to_run: tests,
      cycle_group: group.length > 1 ? group : [],
    };
  }

  /** For each file of a step: the files chosen for refactoring that it depends on, directly or not. */
  dependsOnAmong(file: string, chosen: ReadonlySet<string>): string[] {
    const reached = new Set<string>();
    const stack = [file];
    while (stack.length) {
      for (const next of this.graph.imports(stack.pop() as string)) {
        if (reached.has(next) || next === file) continue;
        reached.add(next);
        stack.push(next);
      }
    }
    return [...reached].filter((path) => chosen.has(path)).sort();
  }
}

function push(map: Map<string, string[]>, key: string, value: string) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
