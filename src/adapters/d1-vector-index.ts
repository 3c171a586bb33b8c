import { AppError } from "../domain/app-error";
import type { VectorIndex, VectorItem, VectorMatch, VectorMetadata, VectorQueryOptions } from "../domain/vectors";
import { checkTopK, cosine, matchesFilter } from "../domain/vectors";

export interface D1VectorIndexOptions {
  maxTopK?: number;
}

interface VectorRow {
  id: string;
  vec: ArrayBuffer | ArrayBufferView | number[];
  metadata: string | null;
}

/** Ids per `DELETE … IN (…)`; D1 allows 100 bound parameters per statement and one goes to the namespace. */
const DELETE_CHUNK = 90;

/**
 * Exact nearest-neighbour search over D1 (table `error_vectors`, migration 0002): a query reads every vector of
 * the namespace with the query's dimensions and scores them in the Worker. That is exact and needs no extra
 * product, but costs one row read per stored vector (and about 3 KiB per 768-dim vector transferred), so it
 * suits projects with up to a few thousand errors; Vectorize is the approximate, scalable alternative.
 */
export class D1VectorIndex implements VectorIndex {
  readonly capabilities: VectorIndex["capabilities"];

  constructor(
    private readonly db: D1Database,
    options: D1VectorIndexOptions = {},
  ) {
    this.capabilities = { metadataFilters: true, namespaces: true, maxTopK: options.maxTopK ?? 100 };
  }

  async upsert(namespace: string, items: VectorItem[]): Promise<void> {
    if (items.length === 0) return;
    const statement = this.db.prepare(
      `INSERT INTO error_vectors (namespace, id, dims, vec, metadata) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (namespace, id) DO UPDATE SET dims = excluded.dims, vec = excluded.vec, metadata = excluded.metadata`,
    );
    // One batch: D1 runs it as a transaction, so an upsert of many vectors is all-or-nothing.
    await this.db.batch(
      items.map((item) =>
        statement.bind(
          namespace,
          item.id,
          item.values.length,
          toBlob(item.values),
          item.metadata ? JSON.stringify(item.metadata) : null,
        ),
      ),
    );
  }

  async delete(namespace: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const statements: D1PreparedStatement[] = [];
    for (let start = 0; start < ids.length; start += DELETE_CHUNK) {
      const chunk = ids.slice(start, start + DELETE_CHUNK);
      const placeholders = chunk.map(() => "?").join(", ");
      statements.push(
        this.db
          .prepare(`DELETE FROM error_vectors WHERE namespace = ? AND id IN (${placeholders})`)
          .bind(namespace, ...chunk),
      );
    }
    await this.db.batch(statements);
  }

  async query(namespace: string, vector: Float32Array, options: VectorQueryOptions): Promise<VectorMatch[]> {
    checkTopK(options.topK, this.capabilities.maxTopK);
    // Rows of another dimensionality come from another embedder; comparing them would be meaningless.
    const { results } = await this.db
      .prepare("SELECT id, vec, metadata FROM error_vectors WHERE namespace = ? AND dims = ?")
      .bind(namespace, vector.length)
      .all<VectorRow>();
    const matches: VectorMatch[] = [];
    for (const row of results) {
      const metadata = row.metadata === null ? undefined : (JSON.parse(row.metadata) as VectorMetadata);
      if (!matchesFilter(metadata, options.filter)) continue;
      const score = cosine(vector, fromBlob(row.vec));
      matches.push(metadata === undefined ? { id: row.id, score } : { id: row.id, score, metadata });
    }
    // Ties are broken by id so that equal scores come back in a stable order.
    matches.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return matches.slice(0, options.topK);
  }
}

/** Little-endian float32 bytes, written explicitly so the stored format does not depend on the host. */
function toBlob(values: Float32Array): ArrayBuffer {
  const buffer = new ArrayBuffer(values.length * 4);
  const view = new DataView(buffer);
  for (let index = 0; index < values.length; index += 1) view.setFloat32(index * 4, values[index] ?? 0, true);
  return buffer;
}

function fromBlob(blob: VectorRow["vec"]): Float32Array {
  // D1 returns BLOBs as ArrayBuffer in workerd; older runtimes and remote shims return an array of bytes.
  const bytes = Array.isArray(blob)
    ? Uint8Array.from(blob)
    : ArrayBuffer.isView(blob)
      ? new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength)
      : new Uint8Array(blob);
  if (bytes.byteLength % 4 !== 0) {
    throw new AppError("internal", `A stored vector is ${bytes.byteLength} bytes, not a whole number of floats.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(bytes.byteLength / 4);
  for (let index = 0; index < values.length; index += 1) values[index] = view.getFloat32(index * 4, true);
  return values;
}
