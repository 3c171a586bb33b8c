import type { CodeFileWrite, FileChangeTime, ManifestEntry, StoredCodeFile } from "./code-index";

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
