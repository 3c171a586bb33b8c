import type { ImportSpecifier } from "./js-imports";
import type { ConfigFacts } from "./project-config";
import type { PythonImport } from "./python-imports";

export type CodeLanguage = "typescript" | "javascript" | "python" | "config";

/** What is kept of a file: its imports as written, or a config file's resolution settings. */
export type FileFacts =
  | { js: ImportSpecifier[] }
  | { python: PythonImport[] }
  | { config: ConfigFacts }
  /** Nothing could be read (parse error). */
  | Record<string, never>;

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
