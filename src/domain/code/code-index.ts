/**
 * The project's code index: files uploaded by path and content (from the command-line client, CI or an
 * assistant), kept as import structure only, and the resolved import graph built from them. Incremental by
 * content hash: an unchanged file is neither parsed nor written again.
 */
import { AppError } from "../app-error";
import type { Runtime } from "../ports";
import type { Identity, Project } from "../records";
import { ImportGraph } from "./graph";
import { extractJsImports, type ImportKind, type ImportSpecifier } from "./js-imports";
import { isConfigPath, parseConfig, ProjectConfig, type ConfigFacts } from "./project-config";
import { extractPythonImports, type PythonImport } from "./python-imports";
import { normalizePath, pythonSourceRoots, resolveJsImport, resolvePythonImport, type Resolution } from "./resolve";
import { plural } from "../plural";

/** Documented in the README; the tool schema and the REST body limit use the same numbers. */
export const CODE_LIMITS = {
  filesPerBatch: 500,
  deletionsPerBatch: 5_000,
  /** Characters of one file's content; larger files (bundles, generated code) are left to the client to skip. */
  fileChars: 1_048_576,
  /** Bytes of one REST request to /files. */
  batchBytes: 8 * 1_048_576,
  filesPerProject: 50_000,
} as const;

export type CodeLanguage = "typescript" | "javascript" | "python" | "config";

/** What is kept of a file: its imports as written, or a config file's resolution settings. */
export type FileFacts =
  | { js: ImportSpecifier[] }
  | { python: PythonImport[] }
  | { config: ConfigFacts }
  /** Nothing could be read (parse error). */
  | Record<string, never>;

export function languageOf(path: string): CodeLanguage | null {
  if (isConfigPath(path)) return "config";
  const lower = path.toLowerCase();
  if (/\.(ts|tsx|mts|cts)$/.test(lower)) return "typescript";
  if (/\.(js|jsx|mjs|cjs)$/.test(lower)) return "javascript";
  if (lower.endsWith(".py")) return "python";
  return null;
}

export interface CodeFileWrite {
  path: string;
  contentHash: string;
  language: CodeLanguage;
  sizeBytes: number;
  parseError: string | null;
  facts: FileFacts;
}

export interface StoredCodeFile {
  path: string;
  language: CodeLanguage;
  parseError: string | null;
  facts: FileFacts;
}

export interface ManifestEntry {
  path: string;
  hash: string;
  language: CodeLanguage;
  parseError: string | null;
  indexedAt: number;
}

export interface FileChangeTime {
  path: string;
  /** Last content change seen by the index after the first upload (null: unchanged since first indexed). */
  changedAt: number | null;
  deletedAt: number | null;
}

/** D1 in production and tests. Every write is one atomic batch. */
export interface CodeIndexStore {
  /** Hashes of the project's live (not deleted) files among `paths`. */
  liveHashes(projectId: string, paths: string[]): Promise<Map<string, string>>;
  countLiveFiles(projectId: string): Promise<number>;
  /** Upserts and tombstones in one batch, bumping the generation; returns the new generation. */
  applyChanges(
    projectId: string,
    upserts: CodeFileWrite[],
    deletions: string[],
    author: string,
    now: number,
  ): Promise<number>;
  manifest(projectId: string): Promise<ManifestEntry[]>;
  liveFiles(projectId: string): Promise<StoredCodeFile[]>;
  /** The current generation (0 = nothing indexed) and the stored snapshot if it was built from it. */
  readSnapshot(projectId: string): Promise<{ generation: number; snapshot: string | null }>;
  /** Stores a snapshot unless the files changed since `generation`; false when it was outdated. */
  writeSnapshot(projectId: string, generation: number, snapshot: string): Promise<boolean>;
  /** Change times of indexed files among `paths` that changed or were deleted after their first index. */
  changeTimes(projectId: string, paths: string[]): Promise<FileChangeTime[]>;
}

export interface IndexFilesInput {
  files: Array<{ path: string; content: string }>;
  deleted: string[];
  /** Skip rebuilding the graph now (a client uploading many batches builds it once, on its last). */
  deferGraph: boolean;
}

export interface GraphStats {
  files: number;
  internalEdges: number;
  externalPackages: number;
  unresolved: number;
  cycles: number;
  parseErrors: number;
}

export interface IndexReport {
  received: number;
  indexed: string[];
  unchanged: number;
  deleted: string[];
  skipped: Array<{ path: string; reason: string }>;
  parseErrors: Array<{ path: string; reason: string }>;
  generation: number;
  filesTotal: number;
  graph: GraphStats | null;
}

const KIND_CODES: Record<ImportKind | "python", string> = {
  static: "s",
  type: "t",
  reexport: "r",
  require: "q",
  dynamic: "d",
  "import-equals": "e",
  python: "p",
};

/** The resolved graph of one generation, as stored; indices point into `files`. */
export interface GraphSnapshot {
  version: 1;
  generation: number;
  files: string[];
  /** [from, to, kind codes] — one edge per file pair, all ways it is imported. */
  edges: Array<[number, number, string]>;
  external: Array<[number, string]>;
  unresolved: Array<[number, string]>;
  parseErrors: Array<[number, string]>;
}

/** A path as the index keys it: repository-relative, "/"-separated, no "." or ".." segments. */
export function indexPath(raw: string, field: string): string {
  const slashed = raw.replace(/\\/g, "/").trim();
  const problem =
    slashed === ""
      ? "is empty"
      : /^([A-Za-z]:)?\//.test(slashed)
        ? "must be relative to the repository root, not absolute"
        : slashed.split("/").includes("..")
          ? "must not contain '..' segments"
          : [...slashed].some((char) => char.charCodeAt(0) < 0x20)
            ? "contains control characters"
            : null;
  if (problem) {
    throw new AppError("invalid_input", `${field}: path "${raw.slice(0, 200)}" ${problem}.`, { details: { field } });
  }
  return normalizePath(slashed);
}

export class CodeIndexService {
  constructor(
    private readonly store: CodeIndexStore,
    private readonly runtime: Runtime,
  ) {}

  async index(identity: Identity, project: Project, input: IndexFilesInput): Promise<IndexReport> {
    const seen = new Set<string>();
    const uploads = input.files.map((file, position) => {
      const path = indexPath(file.path, `files.${position}.path`);
      if (seen.has(path)) {
        throw new AppError("invalid_input", `files.${position}.path: "${path}" appears twice in this batch.`, {
          details: { field: `files.${position}.path` },
        });
      }
      seen.add(path);
      return { path, content: file.content };
    });
    const deletions = input.deleted.map((path, position) => {
      const normal = indexPath(path, `deleted.${position}`);
      if (seen.has(normal)) {
        throw new AppError("invalid_input", `deleted.${position}: "${normal}" is also uploaded in this batch.`, {
          details: { field: `deleted.${position}` },
        });
      }
      return normal;
    });

    const skipped: IndexReport["skipped"] = [];
    const candidates: Array<{ path: string; content: string; language: CodeLanguage; hash: string }> = [];
    for (const upload of uploads) {
      const language = languageOf(upload.path);
      if (!language) {
        skipped.push({ path: upload.path, reason: "not a JavaScript/TypeScript, Python or config file" });
        continue;
      }
      candidates.push({ ...upload, language, hash: await this.runtime.sha256Hex(upload.content) });
    }
    const known = await this.store.liveHashes(project.id, [...candidates.map((c) => c.path), ...deletions]);
    const changed = candidates.filter((candidate) => known.get(candidate.path) !== candidate.hash);
    const removed = [...new Set(deletions.filter((path) => known.has(path)))];

    const added = changed.filter((candidate) => !known.has(candidate.path)).length;
    if (added > 0) {
      const total = await this.store.countLiveFiles(project.id);
      if (total + added - removed.length > CODE_LIMITS.filesPerProject) {
        throw new AppError(
          "payload_too_large",
          `files: the project would have ${total + added - removed.length} indexed files; the limit is ` +
            `${CODE_LIMITS.filesPerProject}. Exclude generated or vendored code (.gitignore or --exclude).`,
          { details: { field: "files", limit: CODE_LIMITS.filesPerProject } },
        );
      }
    }

    const writes = changed.map((candidate) => extractFacts(candidate));
    const parseErrors = writes
      .filter((write) => write.parseError !== null)
      .map((write) => ({ path: write.path, reason: write.parseError as string }));

    const written =
      writes.length || removed.length
        ? await this.store.applyChanges(project.id, writes, removed, identity.userId, this.runtime.now())
        : null;
    // The graph (when wanted) says which generation it is; only a deferred no-op asks the store for it alone.
    const built = input.deferGraph ? null : await this.graph(project);
    const generation = built?.snapshot.generation ?? written ?? (await this.store.readSnapshot(project.id)).generation;
    const graph = built ? statsOf(built) : null;
    return {
      received: input.files.length,
      indexed: writes.map((write) => write.path),
      unchanged: candidates.length - changed.length,
      deleted: removed,
      skipped,
      parseErrors,
      generation,
      filesTotal: graph?.files ?? (await this.store.countLiveFiles(project.id)),
      graph,
    };
  }

  manifest(project: Project): Promise<ManifestEntry[]> {
    return this.store.manifest(project.id);
  }

  /** The resolved graph: the stored snapshot when it is current, else rebuilt from the files and stored. */
  async graph(project: Project): Promise<CodeGraph> {
    const { generation, snapshot } = await this.store.readSnapshot(project.id);
    if (snapshot !== null) return new CodeGraph(JSON.parse(snapshot) as GraphSnapshot, project.slug);
    const built = buildSnapshot(await this.store.liveFiles(project.id), generation);
    // Losing the race to a newer upload is fine: the next query rebuilds from the newer files.
    await this.store.writeSnapshot(project.id, generation, JSON.stringify(built));
    return new CodeGraph(built, project.slug);
  }

  /**
   * For memories tied to files: which of those files the index saw change (or disappear) after the memory was
   * recorded. A memory's path may be absolute or longer than the indexed one ("/home/me/app/src/a.py" for
   * "src/a.py"); it matches an indexed path that is a suffix of it at a separator.
   */
  async staleness(
    project: Project,
    memories: Array<{ key: string; paths: string[]; recordedAt: number }>,
  ): Promise<Map<string, Array<{ path: string; changedAt: number; deleted: boolean }>>> {
    const candidatesOf = new Map<string, string[]>();
    for (const memory of memories) {
      for (const path of memory.paths) if (!candidatesOf.has(path)) candidatesOf.set(path, pathSuffixes(path));
    }
    const all = [...new Set([...candidatesOf.values()].flat())];
    const result = new Map<string, Array<{ path: string; changedAt: number; deleted: boolean }>>();
    if (!all.length) return result;
    const times = new Map((await this.store.changeTimes(project.id, all)).map((time) => [time.path, time]));
    for (const memory of memories) {
      const stale: Array<{ path: string; changedAt: number; deleted: boolean }> = [];
      for (const path of memory.paths) {
        // The longest indexed suffix is the file meant.
        const time = (candidatesOf.get(path) ?? []).map((candidate) => times.get(candidate)).find(Boolean);
        if (!time) continue;
        const at = time.deletedAt ?? time.changedAt;
        if (at !== null && at >= memory.recordedAt) {
          stale.push({ path: time.path, changedAt: at, deleted: time.deletedAt !== null });
        }
      }
      if (stale.length) result.set(memory.key, stale);
    }
    return result;
  }
}

/** "/home/me/app/src/a.py" → ["home/me/app/src/a.py", "me/app/src/a.py", "app/src/a.py", "src/a.py", "a.py"]. */
function pathSuffixes(raw: string): string[] {
  const parts = normalizePath(raw.replace(/^[A-Za-z]:/, "")).split("/");
  const suffixes: string[] = [];
  for (let start = 0; start < parts.length; start += 1) suffixes.push(parts.slice(start).join("/"));
  return suffixes.filter((suffix) => suffix !== "");
}

function extractFacts(file: { path: string; content: string; language: CodeLanguage; hash: string }): CodeFileWrite {
  const base = {
    path: file.path,
    contentHash: file.hash,
    language: file.language,
    sizeBytes: new TextEncoder().encode(file.content).length,
  };
  if (file.language === "config") {
    const parsed = parseConfig(file.path, file.content);
    return parsed.ok
      ? { ...base, parseError: null, facts: { config: parsed.facts } }
      : { ...base, parseError: parsed.reason, facts: {} };
  }
  if (file.language === "python") {
    const parsed = extractPythonImports(file.content);
    return parsed.ok
      ? { ...base, parseError: null, facts: { python: parsed.imports } }
      : { ...base, parseError: parsed.reason, facts: {} };
  }
  const parsed = extractJsImports(file.path, file.content);
  return parsed.ok
    ? { ...base, parseError: null, facts: { js: parsed.imports } }
    : { ...base, parseError: parsed.reason, facts: {} };
}

/** Resolves every stored import against the files and configs of the same generation. */
export function buildSnapshot(stored: StoredCodeFile[], generation: number): GraphSnapshot {
  const configs = new Map<string, ConfigFacts>();
  const sources: StoredCodeFile[] = [];
  for (const file of stored) {
    if (file.language !== "config") sources.push(file);
    else if ("config" in file.facts) configs.set(file.path, file.facts.config);
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
  const parseErrors: Array<[number, string]> = [];
  sources.forEach((file, from) => {
    if (file.parseError !== null) parseErrors.push([from, file.parseError]);
    const seenExternal = new Set<string>();
    const seenUnresolved = new Set<string>();
    const record = (resolution: Resolution, kind: string) => {
      if (resolution.kind === "internal") {
        const to = indexOf.get(resolution.path);
        if (to === undefined || to === from) return;
        const key = `${from},${to}`;
        const kinds = edgeKinds.get(key) ?? new Set<string>();
        kinds.add(kind);
        edgeKinds.set(key, kinds);
      } else if (resolution.kind === "external") {
        if (!seenExternal.has(resolution.name)) external.push([from, resolution.name]);
        seenExternal.add(resolution.name);
      } else {
        if (!seenUnresolved.has(resolution.specifier)) unresolved.push([from, resolution.specifier]);
        seenUnresolved.add(resolution.specifier);
      }
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
        for (const resolution of resolvePythonImport(file.path, imported, pyFiles, roots)) {
          record(resolution, KIND_CODES.python);
        }
      }
    }
  });
  const edges: Array<[number, number, string]> = [...edgeKinds].map(([key, kinds]) => {
    const [from, to] = key.split(",").map(Number) as [number, number];
    return [from, to, [...kinds].sort().join("")];
  });
  return { version: 1, generation, files, edges, external, unresolved, parseErrors };
}

function statsOf(graph: CodeGraph): GraphStats {
  const snapshot = graph.snapshot;
  return {
    files: snapshot.files.length,
    internalEdges: snapshot.edges.length,
    externalPackages: new Set(snapshot.external.map(([, name]) => name)).size,
    unresolved: snapshot.unresolved.length,
    cycles: graph.graph.cycles().length,
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
  private readonly externalOf = new Map<string, string[]>();
  private readonly unresolvedOf = new Map<string, string[]>();
  private readonly parseErrorOf = new Map<string, string>();
  private readonly kinds = new Map<string, string>();

  constructor(
    readonly snapshot: GraphSnapshot,
    private readonly projectSlug: string,
  ) {
    const name = (index: number) => snapshot.files[index] as string;
    this.graph = new ImportGraph(
      snapshot.edges.map(([from, to]) => [name(from), name(to)] as const),
      snapshot.files,
    );
    for (const [from, to, kinds] of snapshot.edges) this.kinds.set(`${name(from)}\u0000${name(to)}`, kinds);
    for (const [from, packageName] of snapshot.external) push(this.externalOf, name(from), packageName);
    for (const [from, specifier] of snapshot.unresolved) push(this.unresolvedOf, name(from), specifier);
    for (const [from, reason] of snapshot.parseErrors) this.parseErrorOf.set(name(from), reason);
  }

  get fileCount(): number {
    return this.snapshot.files.length;
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
    const cycle = this.graph.cycleFrom(file);
    const group = this.graph.componentOf(file);
    return {
      file_path: file,
      imports: this.graph.imports(file),
      imported_by: this.graph.importedBy(file),
      external_imports: [...(this.externalOf.get(file) ?? [])].sort(),
      unresolved_imports: this.unresolvedOf.get(file) ?? [],
      import_depth: this.graph.depths().get(file) ?? 0,
      circular_deps: cycle ? [cycle] : [],
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
