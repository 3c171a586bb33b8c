import { DurableObject } from "cloudflare:workers";
import { AppError } from "../src/domain/core/app-error";
import { bytesToFloat32, checkVectorValues, float32ToBytes, VectorScan } from "../src/domain/vectors/vector-scan";
import type { VectorScanStats } from "../src/domain/vectors/vector-scan";
import type { VectorMatch, VectorMetadata } from "../src/domain/vectors/ports";
import type { VectorShardRpc, VectorUpsertBatch } from "../src/adapters/durable-object-vector-index";
import kernel from "./vector-kernel.wasm";

export interface ProjectVectorsStats extends VectorScanStats {
  /** Whether the in-memory index has been loaded from SQLite since the object started. */
  loaded: boolean;
  /** Rows in SQLite (equal to `vectors` once loaded). */
  stored: number;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS vectors (
  vid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  dims INTEGER NOT NULL,
  vec BLOB NOT NULL,
  metadata TEXT
)`;

/**
 * One instance per vector namespace, i.e. per project (`idFromName(namespace)`): the local VectorIndex behind
 * DurableObjectVectorIndex, for `wrangler dev` and tests where Vectorize does not exist.
 *
 * SQLite (`ctx.storage.sql`, table `vectors`) is the source of truth: raw float32 values (little-endian BLOB),
 * dimensions and metadata JSON, keyed by `vid`. The first query after the object starts loads every row into a
 * `VectorScan` (int8 codes scanned by a WebAssembly kernel, see src/domain/vectors/vector-scan.ts), which upserts and
 * deletes keep in step from then on; a query scans memory and reads from SQLite only the float32 values of the
 * few candidates it re-scores exactly. Every method is synchronous (SQLite calls included), so calls never
 * interleave: a write and the in-memory update are one atomic step. SQL runs first, inside `transactionSync`,
 * and memory changes only after it committed, so a failed write leaves both as they were.
 */
export class ProjectVectors extends DurableObject<unknown> implements VectorShardRpc {
  private readonly sql: SqlStorage;
  private scan: VectorScan | undefined;

  /** The object reads no binding, so its env stays untyped rather than importing the composition root's Env. */
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
  }

  /** Inserts or replaces vectors by id (the last one wins when an id repeats). Returns how many were written. */
  upsert(batch: VectorUpsertBatch): number {
    const { ids, dims, values } = batch;
    if (ids.length !== dims.length || ids.length !== batch.metadata.length) {
      throw new AppError("invalid_input", "An upsert batch needs as many dims and metadata entries as ids.");
    }
    const total = dims.reduce((sum, count) => sum + count, 0);
    if (total !== values.length) {
      throw new AppError("invalid_input", `An upsert batch declares ${total} values but carries ${values.length}.`);
    }
    // Everything is checked before anything is written.
    const vectors: Float32Array[] = [];
    const metadata: Array<VectorMetadata | undefined> = [];
    for (let index = 0, offset = 0; index < ids.length; index += 1) {
      const id = ids[index];
      if (typeof id !== "string" || id.length === 0) {
        throw new AppError("invalid_input", "A vector id must be a non-empty string.");
      }
      const length = dims[index] ?? 0;
      const vector = values.subarray(offset, offset + length);
      checkVectorValues(vector);
      vectors.push(vector);
      offset += length;
      const json = batch.metadata[index] ?? null;
      metadata.push(json === null ? undefined : (JSON.parse(json) as VectorMetadata));
    }
    const keys = this.ctx.storage.transactionSync(() =>
      ids.map((id, index) => {
        const vector = vectors[index] as Float32Array;
        return this.sql
          .exec<{ vid: number }>(
            `INSERT INTO vectors (id, dims, vec, metadata) VALUES (?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET dims = excluded.dims, vec = excluded.vec, metadata = excluded.metadata
             RETURNING vid`,
            id,
            vector.length,
            float32ToBytes(vector).buffer,
            batch.metadata[index] ?? null,
          )
          .one().vid;
      }),
    );
    // Not loaded yet: the first query will read these rows from SQLite like all the others.
    const scan = this.scan;
    if (scan) ids.forEach((id, index) => scan.set(id, keys[index] ?? 0, vectors[index] ?? [], metadata[index]));
    return ids.length;
  }

  /** Deletes vectors by id; unknown ids are ignored. Returns how many were deleted. */
  delete(ids: string[]): number {
    if (ids.length === 0) return 0;
    const deleted = this.sql
      .exec<{ id: string }>(
        "DELETE FROM vectors WHERE id IN (SELECT value FROM json_each(?)) RETURNING id",
        JSON.stringify(ids),
      )
      .toArray();
    for (const { id } of deleted) this.scan?.delete(id);
    return deleted.length;
  }

  /** Exact cosine top-K among vectors of the query's dimensionality whose metadata matches `filter`. */
  query(vector: Float32Array, options: { topK: number; filter?: VectorMetadata }): VectorMatch[] {
    return this.loaded().query(vector, options, (keys) => this.exactValues(keys));
  }

  stats(): ProjectVectorsStats {
    const stored = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM vectors").one().n;
    const loaded = this.scan !== undefined;
    const scan = this.scan ?? new VectorScan();
    return { ...scan.stats(), loaded, stored };
  }

  private loaded(): VectorScan {
    if (this.scan) return this.scan;
    const scan = new VectorScan({ kernel });
    for (const { dims, n } of this.sql.exec<{ dims: number; n: number }>(
      "SELECT dims, COUNT(*) AS n FROM vectors GROUP BY dims",
    )) {
      scan.reserve(dims, n);
    }
    for (const [vid, id, vec, metadata] of this.sql
      .exec("SELECT vid, id, vec, metadata FROM vectors")
      .raw<[number, string, ArrayBuffer, string | null]>()) {
      scan.set(id, vid, bytesToFloat32(vec), metadata === null ? undefined : (JSON.parse(metadata) as VectorMetadata));
    }
    this.scan = scan;
    return scan;
  }

  private exactValues(keys: number[]): Map<number, Float32Array> {
    const values = new Map<number, Float32Array>();
    const rows = this.sql
      .exec("SELECT vid, vec FROM vectors WHERE vid IN (SELECT value FROM json_each(?))", JSON.stringify(keys))
      .raw<[number, ArrayBuffer]>();
    for (const [vid, vec] of rows) values.set(vid, bytesToFloat32(vec));
    return values;
  }
}
