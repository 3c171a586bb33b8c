import { AppError } from "../domain/core/app-error";
import type { VectorIndex, VectorItem, VectorMatch, VectorMetadata, VectorQueryOptions } from "../domain/vectors/ports";
import { checkTopK } from "../domain/vectors/ports";

export type VectorizeMetadataLevel = "all" | "indexed" | "none";

/** The part of a Cloudflare Vectorize (V2) index binding this adapter uses. */
export interface VectorizeBinding {
  upsert(
    vectors: Array<{
      id: string;
      values: number[] | Float32Array;
      namespace?: string;
      metadata?: VectorMetadata;
    }>,
  ): Promise<unknown>;
  deleteByIds(ids: string[]): Promise<unknown>;
  /** Returned metadata may also hold arrays or nested objects written by other code; the adapter drops those. */
  query(
    vector: number[] | Float32Array,
    options: VectorizeQueryOptions,
  ): Promise<{ matches: Array<{ id: string; score: number; metadata?: Record<string, unknown> }>; count: number }>;
}

export interface VectorizeQueryOptions {
  topK: number;
  namespace?: string;
  filter?: Record<string, VectorMetadataFilterValue>;
  returnMetadata?: VectorizeMetadataLevel;
  returnValues?: boolean;
}

export type VectorMetadataFilterValue = string | number | boolean | { $eq: string | number | boolean };

export interface VectorizeIndexOptions {
  /**
   * "all" returns every metadata property but Vectorize then caps topK at 20; "indexed" returns only properties
   * that have a metadata index and allows topK up to 100. Defaults to "all".
   */
  returnMetadata?: "all" | "indexed";
}

/**
 * Vectorize limits (developers.cloudflare.com/vectorize/platform/limits, V2 indexes): topK ≤ 100 without values
 * or metadata, ≤ 20 when values or all metadata are returned; upsert ≤ 1000 vectors per call from a Worker;
 * ids and namespace names ≤ 64 bytes. deleteByIds is taken to accept 1000 ids per call as well (assumption).
 */
const MAX_TOP_K_PLAIN = 100;
const MAX_TOP_K_WITH_ALL_METADATA = 20;
const MAX_MUTATION_BATCH = 1000;
const MAX_ID_BYTES = 64;

/**
 * A `VectorIndex` on Vectorize. The index's metric must be `cosine` and its dimensions those of the embedder;
 * metadata filters only work on properties that had a metadata index *before* the vectors were inserted.
 * Writes are asynchronous in Vectorize: a vector becomes queryable a few seconds after `upsert` resolves.
 */
export class VectorizeIndex implements VectorIndex {
  readonly capabilities: VectorIndex["capabilities"];
  private readonly returnMetadata: "all" | "indexed";
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly index: VectorizeBinding,
    options: VectorizeIndexOptions = {},
  ) {
    this.returnMetadata = options.returnMetadata ?? "all";
    this.capabilities = {
      metadataFilters: true,
      namespaces: true,
      maxTopK: this.returnMetadata === "all" ? MAX_TOP_K_WITH_ALL_METADATA : MAX_TOP_K_PLAIN,
    };
  }

  async upsert(namespace: string, items: VectorItem[]): Promise<void> {
    const prefixes = await this.prefixes(namespace);
    const vectors = items.map((item) => ({
      id: this.vectorizeId(prefixes, item.id),
      values: item.values,
      namespace,
      ...(item.metadata ? { metadata: item.metadata } : {}),
    }));
    for (let start = 0; start < vectors.length; start += MAX_MUTATION_BATCH) {
      await this.index.upsert(vectors.slice(start, start + MAX_MUTATION_BATCH));
    }
  }

  async delete(namespace: string, ids: string[]): Promise<void> {
    const prefixes = await this.prefixes(namespace);
    const vectorizeIds = ids.map((id) => this.vectorizeId(prefixes, id));
    for (let start = 0; start < vectorizeIds.length; start += MAX_MUTATION_BATCH) {
      await this.index.deleteByIds(vectorizeIds.slice(start, start + MAX_MUTATION_BATCH));
    }
  }

  async query(namespace: string, vector: Float32Array, options: VectorQueryOptions): Promise<VectorMatch[]> {
    checkTopK(options.topK, this.capabilities.maxTopK);
    this.checkBytes("namespace", namespace);
    const result = await this.index.query(vector, {
      topK: options.topK,
      namespace,
      returnMetadata: this.returnMetadata,
      returnValues: false,
      ...(options.filter ? { filter: options.filter } : {}),
    });
    const { plain, digest } = await this.prefixes(namespace);
    const matches: VectorMatch[] = [];
    for (const match of result.matches) {
      // The namespace already isolates results; checking the prefix as well guards against a misconfigured index.
      const prefix = match.id.startsWith(plain) ? plain : match.id.startsWith(digest) ? digest : null;
      if (prefix === null) continue;
      const id = match.id.slice(prefix.length);
      const metadata = scalarMetadata(match.metadata);
      matches.push(metadata ? { id, score: match.score, metadata } : { id, score: match.score });
    }
    return matches.sort((a, b) => b.score - a.score);
  }

  /**
   * Vectorize ids are unique across the whole index, not per namespace, so the namespace is part of the id:
   * `namespace:id` when that fits in 64 bytes, else a 96-bit digest of the namespace stands in for it (a UUID
   * project plus a UUID error is 73 bytes).
   */
  private vectorizeId(prefixes: { plain: string; digest: string }, id: string): string {
    const plain = `${prefixes.plain}${id}`;
    if (this.encoder.encode(plain).byteLength <= MAX_ID_BYTES) return plain;
    const compact = `${prefixes.digest}${id}`;
    this.checkBytes("namespace digest plus id", compact);
    return compact;
  }

  private async prefixes(namespace: string): Promise<{ plain: string; digest: string }> {
    this.checkBytes("namespace", namespace);
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", this.encoder.encode(namespace)));
    const base64url = btoa(String.fromCharCode(...hash.subarray(0, 12)))
      .replaceAll("+", "-")
      .replaceAll("/", "_");
    // The two forms could only meet if some namespace were literally named "#<digest of another namespace>".
    return { plain: `${namespace}:`, digest: `#${base64url}:` };
  }

  private checkBytes(what: string, value: string): void {
    const bytes = this.encoder.encode(value).byteLength;
    if (bytes > MAX_ID_BYTES) {
      throw new AppError("invalid_input", `Vectorize allows ${MAX_ID_BYTES} bytes for a ${what}; got ${bytes}.`);
    }
  }
}

/** The string/number/boolean properties the port can carry; undefined when none are left. */
function scalarMetadata(metadata: Record<string, unknown> | undefined): VectorMetadata | undefined {
  if (!metadata) return undefined;
  const entries = Object.entries(metadata).filter(
    (entry): entry is [string, string | number | boolean] =>
      typeof entry[1] === "string" || typeof entry[1] === "number" || typeof entry[1] === "boolean",
  );
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
