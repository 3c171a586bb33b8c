import type {
  VectorizeBinding,
  VectorizeMetadataLevel,
  VectorizeQueryOptions,
  VectorMetadataFilterValue,
} from "../../src/adapters/vectorize-index";
import type { VectorMetadata } from "../../src/domain/vectors/ports";
import { cosine } from "../../src/domain/vectors/ports";

interface StoredVector {
  id: string;
  values: Float32Array;
  namespace: string | undefined;
  metadata: VectorMetadata | undefined;
}

export interface FakeVectorizeOptions {
  dimensions: number;
  /** Properties with a metadata index: the only ones returned by `returnMetadata: "indexed"`. */
  metadataIndexes?: string[];
}

/**
 * An in-memory Vectorize V2 index with the cosine metric, following the documented behaviour: ids are unique
 * across the whole index (an upsert with an existing id replaces it, whatever its namespace), a query sees only
 * its namespace, filters are applied before topK, topK is capped at 100, or 20 when values or all metadata are
 * returned. Unlike the real service, writes are visible immediately (Vectorize applies them a few seconds later).
 */
export class FakeVectorize implements VectorizeBinding {
  readonly calls: Array<{ method: string; size: number }> = [];
  private readonly vectors = new Map<string, StoredVector>();
  private readonly dimensions: number;
  private readonly metadataIndexes: Set<string>;

  constructor(options: FakeVectorizeOptions) {
    this.dimensions = options.dimensions;
    this.metadataIndexes = new Set(options.metadataIndexes ?? []);
  }

  async upsert(
    vectors: Array<{ id: string; values: number[] | Float32Array; namespace?: string; metadata?: VectorMetadata }>,
  ): Promise<{ mutationId: string }> {
    this.calls.push({ method: "upsert", size: vectors.length });
    if (vectors.length > 1000) throw new Error("VECTOR_UPSERT_ERROR: too many vectors in one batch (max 1000)");
    for (const vector of vectors) {
      if (vector.values.length !== this.dimensions) {
        throw new Error(
          `VECTOR_UPSERT_ERROR: vector ${vector.id} has ${vector.values.length} dimensions, index has ${this.dimensions}`,
        );
      }
      if (new TextEncoder().encode(vector.id).byteLength > 64) {
        throw new Error(`VECTOR_UPSERT_ERROR: id longer than 64 bytes: ${vector.id}`);
      }
    }
    for (const vector of vectors) {
      this.vectors.set(vector.id, {
        id: vector.id,
        values: Float32Array.from(vector.values),
        namespace: vector.namespace,
        metadata: vector.metadata ? structuredClone(vector.metadata) : undefined,
      });
    }
    return { mutationId: crypto.randomUUID() };
  }

  async deleteByIds(ids: string[]): Promise<{ mutationId: string }> {
    this.calls.push({ method: "deleteByIds", size: ids.length });
    for (const id of ids) this.vectors.delete(id);
    return { mutationId: crypto.randomUUID() };
  }

  async query(
    vector: number[] | Float32Array,
    options: VectorizeQueryOptions,
  ): Promise<{
    matches: Array<{ id: string; score: number; metadata?: VectorMetadata; values?: number[] }>;
    count: number;
  }> {
    this.calls.push({ method: "query", size: options.topK });
    const returnMetadata = options.returnMetadata ?? "none";
    const returnValues = options.returnValues ?? false;
    const maxTopK = returnValues || returnMetadata === "all" ? 20 : 100;
    if (!Number.isInteger(options.topK) || options.topK < 1 || options.topK > maxTopK) {
      throw new Error(
        `VECTOR_QUERY_ERROR: topK ${options.topK} out of range (max ${maxTopK} with returnValues=${returnValues}, returnMetadata=${returnMetadata})`,
      );
    }
    if (vector.length !== this.dimensions) {
      throw new Error(`VECTOR_QUERY_ERROR: query has ${vector.length} dimensions, index has ${this.dimensions}`);
    }
    const scored = [...this.vectors.values()]
      .filter((stored) => stored.namespace === options.namespace)
      .filter((stored) => matchesVectorizeFilter(stored.metadata, options.filter))
      .map((stored) => ({ stored, score: cosine(vector, stored.values) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, options.topK);
    const matches = scored.map(({ stored, score }) => {
      const match: { id: string; score: number; metadata?: VectorMetadata; values?: number[] } = {
        id: stored.id,
        score,
      };
      const metadata = this.metadataFor(stored, returnMetadata);
      if (metadata) match.metadata = metadata;
      if (returnValues) match.values = [...stored.values];
      return match;
    });
    return { matches, count: matches.length };
  }

  private metadataFor(stored: StoredVector, level: VectorizeMetadataLevel): VectorMetadata | undefined {
    if (level === "none" || !stored.metadata) return undefined;
    if (level === "all") return structuredClone(stored.metadata);
    const indexed = Object.entries(stored.metadata).filter(([key]) => this.metadataIndexes.has(key));
    return Object.fromEntries(indexed);
  }
}

function matchesVectorizeFilter(
  metadata: VectorMetadata | undefined,
  filter: Record<string, VectorMetadataFilterValue> | undefined,
): boolean {
  if (!filter) return true;
  for (const [key, condition] of Object.entries(filter)) {
    const expected = typeof condition === "object" && condition !== null ? condition.$eq : condition;
    if (!metadata || !Object.hasOwn(metadata, key) || metadata[key] !== expected) return false;
  }
  return true;
}
