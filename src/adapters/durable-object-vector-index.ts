import { AppError } from "../domain/core/app-error";
import { checkVectorValues } from "../domain/vectors/vector-scan";
import type { VectorIndex, VectorItem, VectorMatch, VectorMetadata, VectorQueryOptions } from "../domain/vectors/ports";
import { checkTopK } from "../domain/vectors/ports";

/** Vectors of one upsert call, packed so that one RPC message carries one Float32Array instead of thousands. */
export interface VectorUpsertBatch {
  ids: string[];
  /** Dimensions of each vector, in `ids` order; they add up to `values.length`. */
  dims: number[];
  /** The values of all vectors, concatenated in `ids` order. */
  values: Float32Array;
  /** Each vector's metadata as JSON, or null. */
  metadata: Array<string | null>;
}

/**
 * What this adapter calls on one namespace's vector object; durable-objects/project-vectors.ts implements it.
 * The object's methods are synchronous (their SQLite calls are); through the stub every call returns a promise.
 * Declared here, by the caller, so the adapter names no Durable Object class.
 */
export interface VectorShardRpc {
  /** Inserts or replaces vectors by id, in one transaction; how many were written. */
  upsert(batch: VectorUpsertBatch): number;
  /** Deletes vectors by id (unknown ids ignored); how many were deleted. */
  delete(ids: string[]): number;
  /** Exact cosine top-K among vectors of the query's dimensionality whose metadata matches `filter`. */
  query(vector: Float32Array, options: { topK: number; filter?: VectorMetadata }): VectorMatch[];
}

/** The binding as this adapter sees it (`PROJECT_VECTORS` in wrangler.toml). */
export type VectorShardNamespace = DurableObjectNamespace<VectorShardRpc & Rpc.DurableObjectBranded>;

export interface DurableObjectVectorIndexOptions {
  /** Largest accepted `topK`; default 100, at most 1000. */
  maxTopK?: number;
  /**
   * Approximate bytes per upsert RPC call (values, ids and metadata). Workers RPC refuses messages over 32 MiB;
   * the default of 8 MiB keeps each call's SQLite transaction short too.
   */
  maxBatchBytes?: number;
}

const DEFAULT_MAX_TOP_K = 100;
const LARGEST_MAX_TOP_K = 1000;
const DEFAULT_MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Ids per delete call: a few hundred KiB of strings. */
const DELETE_CHUNK = 10_000;

/**
 * A `VectorIndex` on the ProjectVectors Durable Object: one object per namespace (`idFromName(namespace)`), so
 * namespaces are isolated by the store itself, and a query is an exact cosine top-K over that project's
 * vectors held in the object's memory (see durable-objects/project-vectors.ts and src/domain/vectors/vector-scan.ts).
 * For `wrangler dev` and tests, where Vectorize does not exist; it keeps its latency at 100,000 vectors per
 * project, unlike D1VectorIndex, which reads every row per query.
 *
 * Input is validated here, before any RPC, so callers get `AppError`s (an error thrown inside the object loses
 * its class on the way back). An upsert larger than `maxBatchBytes` is sent in several calls, each atomic on
 * its own: if a later call fails, the earlier ones stay written (upserting the same items again is safe).
 */
export class DurableObjectVectorIndex implements VectorIndex {
  readonly capabilities: VectorIndex["capabilities"];
  private readonly maxBatchBytes: number;

  constructor(
    private readonly namespaceBinding: VectorShardNamespace,
    options: DurableObjectVectorIndexOptions = {},
  ) {
    const maxTopK = options.maxTopK ?? DEFAULT_MAX_TOP_K;
    if (!Number.isInteger(maxTopK) || maxTopK < 1 || maxTopK > LARGEST_MAX_TOP_K) {
      throw new AppError("invalid_input", `maxTopK must be an integer from 1 to ${LARGEST_MAX_TOP_K}.`);
    }
    this.capabilities = { metadataFilters: true, namespaces: true, maxTopK };
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
  }

  async upsert(namespace: string, items: VectorItem[]): Promise<void> {
    if (items.length === 0) return;
    const batches: VectorItem[][] = [];
    let batch: VectorItem[] = [];
    let bytes = 0;
    const metadataJson = new Map<VectorItem, string>();
    for (const item of items) {
      if (typeof item.id !== "string" || item.id.length === 0) {
        throw new AppError("invalid_input", "A vector id must be a non-empty string.");
      }
      checkVectorValues(item.values);
      const json = item.metadata ? JSON.stringify(item.metadata) : undefined;
      if (json !== undefined) metadataJson.set(item, json);
      const size = item.values.length * 4 + item.id.length * 2 + (json?.length ?? 0) * 2 + 64;
      if (batch.length > 0 && bytes + size > this.maxBatchBytes) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(item);
      bytes += size;
    }
    batches.push(batch);

    const vectors = this.objectFor(namespace);
    for (const chunk of batches) {
      const values = new Float32Array(chunk.reduce((sum, item) => sum + item.values.length, 0));
      let offset = 0;
      for (const item of chunk) {
        values.set(item.values, offset);
        offset += item.values.length;
      }
      const packed: VectorUpsertBatch = {
        ids: chunk.map((item) => item.id),
        dims: chunk.map((item) => item.values.length),
        values,
        metadata: chunk.map((item) => metadataJson.get(item) ?? null),
      };
      await vectors.upsert(packed);
    }
  }

  async delete(namespace: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const vectors = this.objectFor(namespace);
    for (let start = 0; start < ids.length; start += DELETE_CHUNK) {
      await vectors.delete(ids.slice(start, start + DELETE_CHUNK));
    }
  }

  async query(namespace: string, vector: Float32Array, options: VectorQueryOptions): Promise<VectorMatch[]> {
    checkTopK(options.topK, this.capabilities.maxTopK);
    checkVectorValues(vector);
    // A view into a larger buffer would be cloned with the whole buffer.
    const compact = vector.byteLength === vector.buffer.byteLength ? vector : vector.slice();
    const matches = await this.objectFor(namespace).query(compact, {
      topK: options.topK,
      ...(options.filter ? { filter: options.filter } : {}),
    });
    return matches as VectorMatch[];
  }

  /** The ProjectVectors object holding this namespace (one per project). */
  private objectFor(namespace: string): DurableObjectStub<VectorShardRpc & Rpc.DurableObjectBranded> {
    return this.namespaceBinding.get(this.namespaceBinding.idFromName(namespace));
  }
}
