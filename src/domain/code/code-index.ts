/**
 * The project's code index: files uploaded by path and content (from the command-line client, CI or an
 * assistant), kept as import structure only, and the resolved import graph built from them. Incremental by
 * content hash: an unchanged file is neither parsed nor written again.
 */
import { AppError } from "../core/app-error";
import type { Runtime } from "../core/ports";
import type { CodeFileWrite, CodeIndexStore, CodeLanguage, ManifestEntry } from "./ports";
import type { Identity, Project } from "../core/records";
import {
  buildSnapshot,
  CodeGraph,
  graphStats,
  SNAPSHOT_VERSION,
  type GraphSnapshot,
  type GraphStats,
} from "./code-graph";
import { extractJsImports } from "./js-imports";
import { isConfigPath, parseConfig } from "./project-config";
import { extractPythonImports } from "./python-imports";
import { normalizePath } from "./resolve";

export { buildSnapshot, CodeGraph, type GraphSnapshot, type GraphStats };

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

export function languageOf(path: string): CodeLanguage | null {
  if (isConfigPath(path)) return "config";
  const lower = path.toLowerCase();
  if (/\.(ts|tsx|mts|cts)$/.test(lower)) return "typescript";
  if (/\.(js|jsx|mjs|cjs)$/.test(lower)) return "javascript";
  if (lower.endsWith(".py")) return "python";
  return null;
}

export interface IndexFilesInput {
  files: Array<{ path: string; content: string }>;
  deleted: string[];
  /** Skip rebuilding the graph now (a client uploading many batches builds it once, on its last). */
  deferGraph: boolean;
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
    const graph = built ? graphStats(built) : null;
    return {
      received: input.files.length,
      indexed: writes.map((write) => write.path),
      unchanged: candidates.length - changed.length,
      deleted: removed,
      skipped,
      parseErrors,
      generation,
      // Every indexed file: the graph's source files and the config files that steer resolution.
      filesTotal: graph ? graph.files + graph.configFiles : await this.store.countLiveFiles(project.id),
      graph,
    };
  }

  manifest(project: Project): Promise<ManifestEntry[]> {
    return this.store.manifest(project.id);
  }

  /** The resolved graph: the stored snapshot when it is current, else rebuilt from the files and stored. */
  async graph(project: Project): Promise<CodeGraph> {
    const { generation, snapshot } = await this.store.readSnapshot(project.id);
    if (snapshot !== null) {
      const stored = JSON.parse(snapshot) as GraphSnapshot;
      // A snapshot of an older resolver is rebuilt below from the same files.
      if (stored.version === SNAPSHOT_VERSION) return new CodeGraph(stored, project.slug);
    }
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
