import { and, count, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type {
  CodeIndexStore,
  CodeFileWrite,
  FileChangeTime,
  FileFacts,
  ManifestEntry,
  StoredCodeFile,
} from "../../domain/code/ports";
import { fromBase64, toBase64 } from "../../domain/core/encoding";
import * as schema from "./schema";
import { codeFiles, codeGraphChunks, codeIndexState } from "./schema";

type Db = DrizzleD1Database<typeof schema>;

/** D1 binds at most 100 parameters per statement. */
const PATH_CHUNK = 90;
/** A code_files row binds 11 values. */
const ROWS_PER_INSERT = 9;
/** Base64 characters per snapshot chunk, well under D1's 2 MB row limit. */
const CHUNK_CHARS = 1_500_000;

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

export class D1CodeIndexStore implements CodeIndexStore {
  private readonly db: Db;

  constructor(d1: D1Database) {
    this.db = drizzle(d1, { schema });
  }

  async liveHashes(projectId: string, paths: string[]): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    for (const part of chunks([...new Set(paths)], PATH_CHUNK)) {
      const rows = await this.db
        .select({ path: codeFiles.path, hash: codeFiles.contentHash })
        .from(codeFiles)
        .where(and(eq(codeFiles.projectId, projectId), inArray(codeFiles.path, part), isNull(codeFiles.deletedAt)));
      for (const row of rows) result.set(row.path, row.hash);
    }
    return result;
  }

  async countLiveFiles(projectId: string): Promise<number> {
    const row = await this.db
      .select({ n: count() })
      .from(codeFiles)
      .where(and(eq(codeFiles.projectId, projectId), isNull(codeFiles.deletedAt)))
      .get();
    return row?.n ?? 0;
  }

  async applyChanges(
    projectId: string,
    upserts: CodeFileWrite[],
    deletions: string[],
    author: string,
    now: number,
  ): Promise<number> {
    const statements: BatchItem<"sqlite">[] = [];
    for (const part of chunks(upserts, ROWS_PER_INSERT)) {
      statements.push(
        this.db
          .insert(codeFiles)
          .values(
            part.map((file) => ({
              projectId,
              path: file.path,
              contentHash: file.contentHash,
              language: file.language,
              sizeBytes: file.sizeBytes,
              parseError: file.parseError,
              facts: JSON.stringify(file.facts),
              indexedBy: author,
              indexedAt: now,
              contentChangedAt: null,
              deletedAt: null,
            })),
          )
          .onConflictDoUpdate({
            target: [codeFiles.projectId, codeFiles.path],
            set: {
              // A first upload is not a change; new content, or a deleted file coming back, is.
              contentChangedAt: sql`CASE WHEN ${codeFiles.deletedAt} IS NULL AND ${codeFiles.contentHash} = excluded.content_hash THEN ${codeFiles.contentChangedAt} ELSE excluded.indexed_at END`,
              contentHash: sql`excluded.content_hash`,
              language: sql`excluded.language`,
              sizeBytes: sql`excluded.size_bytes`,
              parseError: sql`excluded.parse_error`,
              facts: sql`excluded.facts`,
              indexedBy: sql`excluded.indexed_by`,
              indexedAt: sql`excluded.indexed_at`,
              deletedAt: sql`NULL`,
            },
          }),
      );
    }
    for (const part of chunks(deletions, PATH_CHUNK)) {
      statements.push(
        this.db
          .update(codeFiles)
          .set({ deletedAt: now, contentChangedAt: now, indexedBy: author, indexedAt: now, facts: "{}" })
          .where(and(eq(codeFiles.projectId, projectId), inArray(codeFiles.path, part), isNull(codeFiles.deletedAt))),
      );
    }
    const bump = this.db
      .insert(codeIndexState)
      .values({ projectId, generation: 1, updatedAt: now })
      .onConflictDoUpdate({
        target: codeIndexState.projectId,
        set: { generation: sql`${codeIndexState.generation} + 1`, updatedAt: now },
      })
      .returning({ generation: codeIndexState.generation });
    const results = await this.db.batch([bump, ...statements] as [typeof bump, ...BatchItem<"sqlite">[]]);
    return results[0][0]?.generation ?? 0;
  }

  async manifest(projectId: string): Promise<ManifestEntry[]> {
    const rows = await this.db
      .select({
        path: codeFiles.path,
        hash: codeFiles.contentHash,
        language: codeFiles.language,
        parseError: codeFiles.parseError,
        indexedAt: codeFiles.indexedAt,
      })
      .from(codeFiles)
      .where(and(eq(codeFiles.projectId, projectId), isNull(codeFiles.deletedAt)))
      .orderBy(codeFiles.path);
    return rows;
  }

  async liveFiles(projectId: string): Promise<StoredCodeFile[]> {
    const rows = await this.db
      .select({
        path: codeFiles.path,
        language: codeFiles.language,
        parseError: codeFiles.parseError,
        facts: codeFiles.facts,
      })
      .from(codeFiles)
      .where(and(eq(codeFiles.projectId, projectId), isNull(codeFiles.deletedAt)));
    return rows.map((row) => ({ ...row, facts: JSON.parse(row.facts) as FileFacts }));
  }

  async readSnapshot(projectId: string): Promise<{ generation: number; snapshot: string | null }> {
    const [state, parts] = await this.db.batch([
      this.db
        .select({ generation: codeIndexState.generation })
        .from(codeIndexState)
        .where(eq(codeIndexState.projectId, projectId)),
      this.db
        .select({ seq: codeGraphChunks.seq, generation: codeGraphChunks.generation, data: codeGraphChunks.data })
        .from(codeGraphChunks)
        .where(eq(codeGraphChunks.projectId, projectId))
        .orderBy(codeGraphChunks.seq),
    ]);
    const generation = state[0]?.generation ?? 0;
    const complete =
      parts.length > 0 && parts.every((part, index) => part.seq === index && part.generation === generation);
    if (!complete) return { generation, snapshot: null };
    return { generation, snapshot: await gunzipBase64(parts.map((part) => part.data)) };
  }

  async writeSnapshot(projectId: string, generation: number, snapshot: string): Promise<boolean> {
    const encoded = await gzipBase64(snapshot);
    const pieces: string[] = [];
    for (let start = 0; start === 0 || start < encoded.length; start += CHUNK_CHARS) {
      pieces.push(encoded.slice(start, start + CHUNK_CHARS));
    }
    // Every statement is conditional on the generation still being current, so a snapshot built from files an
    // upload has since replaced is never stored (nor half-stored).
    const current = sql`EXISTS (SELECT 1 FROM code_index_state WHERE project_id = ${projectId} AND generation = ${generation})`;
    const statements: BatchItem<"sqlite">[] = [
      this.db.delete(codeGraphChunks).where(and(eq(codeGraphChunks.projectId, projectId), current)),
      ...pieces.map((data, seq) =>
        this.db.insert(codeGraphChunks).select(
          this.db
            .select({
              projectId: codeIndexState.projectId,
              seq: sql<number>`${seq}`.as("seq"),
              generation: codeIndexState.generation,
              data: sql<string>`${data}`.as("data"),
            })
            .from(codeIndexState)
            .where(and(eq(codeIndexState.projectId, projectId), eq(codeIndexState.generation, generation))),
        ),
      ),
    ];
    const results = await this.db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    const inserted = results[1] as { meta?: { changes?: number } } | undefined;
    return (inserted?.meta?.changes ?? 0) > 0;
  }

  async changeTimes(projectId: string, paths: string[]): Promise<FileChangeTime[]> {
    const result: FileChangeTime[] = [];
    for (const part of chunks([...new Set(paths)], PATH_CHUNK)) {
      const rows = await this.db
        .select({ path: codeFiles.path, changedAt: codeFiles.contentChangedAt, deletedAt: codeFiles.deletedAt })
        .from(codeFiles)
        .where(
          and(
            eq(codeFiles.projectId, projectId),
            inArray(codeFiles.path, part),
            or(isNotNull(codeFiles.contentChangedAt), isNotNull(codeFiles.deletedAt)),
          ),
        );
      result.push(...rows);
    }
    return result;
  }
}

async function gzipBase64(text: string): Promise<string> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return toBase64(new Uint8Array(await new Response(stream).arrayBuffer()));
}

async function gunzipBase64(parts: string[]): Promise<string> {
  const stream = new Blob([fromBase64(parts.join(""))]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}
