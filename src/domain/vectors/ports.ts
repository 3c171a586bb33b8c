/**
 * Ports for semantic (vector) error search, and the pure vector maths shared by adapters.
 *
 * An `Embedder` turns error texts into vectors; a `VectorIndex` stores them per namespace (one per project) and
 * answers nearest-neighbour queries; a `Reranker` rescores a short list of candidates against the query. All are
 * ports: the domain never learns whether vectors come from a local hashing model, Workers AI or an HTTP provider,
 * or whether they live in D1 or Vectorize.
 */
import { AppError } from "../core/app-error";

export type VectorMetadataValue = string | number | boolean;
export type VectorMetadata = Record<string, VectorMetadataValue>;

export interface Embedder {
  /** Model id, e.g. "local-hash-v1"; vectors from different ids must never be compared. */
  readonly id: string;
  readonly dimensions: number;
  /** Texts the provider accepts per call, when it has a limit (Workers AI: 100); callers batch by it. */
  readonly maxBatchSize?: number;
  /**
   * Cosine below which this model's vectors say nothing: texts with nothing in common still score up to about
   * this (hash collisions, or a learned model's baseline similarity). A match found by its vector alone must
   * reach it to be shown. Unset means 0.
   */
  readonly minSimilarity?: number;
  /**
   * The share (0..1) of a hybrid search score this model's cosine gets, by its measured value on the
   * development sets (`npm run bench:quality`): a model that adds little to the lexical ranking gets little.
   * Unset means the search's default.
   */
  readonly searchWeight?: number;
  /**
   * One vector per text, in input order, each of length `dimensions` and L2-normalised (unit length), so a dot
   * product is a cosine similarity. An empty batch yields an empty result.
   */
  embed(texts: string[]): Promise<Float32Array[]>;
}

/**
 * A cross-encoder: reads the query and each candidate together and says how relevant the candidate is. Far more
 * precise than comparing vectors, and far slower, so it only rescores the top few dozen of a cheaper search.
 */
export interface Reranker {
  /** Model id, e.g. "workers-ai:@cf/baai/bge-reranker-base"; scores from different ids are not comparable. */
  readonly id: string;
  /** Documents per call the provider accepts; `rerank` batches by it, so callers may pass more. */
  readonly maxDocuments: number;
  /**
   * One relevance score per document, in input order, each in [0, 1] (higher is more relevant), the same for the
   * same input. No documents yield an empty result. A document, or a query, with nothing in it scores 0.
   */
  rerank(query: string, documents: string[]): Promise<number[]>;
}

export interface VectorItem {
  id: string;
  values: Float32Array;
  metadata?: VectorMetadata;
}

export interface VectorMatch {
  id: string;
  /** Cosine similarity in [-1, 1]; higher is closer. */
  score: number;
  metadata?: VectorMetadata;
}

export interface VectorIndexCapabilities {
  /** Whether `filter` is honoured by the backing store (rather than ignored). */
  metadataFilters: boolean;
  /** Whether namespaces are isolated by the backing store itself (rather than emulated by the adapter). */
  namespaces: boolean;
  /** The largest `topK` a query accepts; larger values are rejected with `invalid_input`. */
  maxTopK: number;
}

export interface VectorQueryOptions {
  topK: number;
  /** Exact-match equality on metadata keys; every key must match (AND). A missing key never matches. */
  filter?: VectorMetadata;
}

/**
 * Vectors grouped by namespace. A namespace isolates a project: a query never returns another namespace's
 * vectors. Upserting an existing id replaces its values and metadata.
 */
export interface VectorIndex {
  readonly capabilities: VectorIndexCapabilities;
  upsert(namespace: string, items: VectorItem[]): Promise<void>;
  delete(namespace: string, ids: string[]): Promise<void>;
  /** Matches sorted by score, highest first, at most `topK`. */
  query(namespace: string, vector: Float32Array, options: VectorQueryOptions): Promise<VectorMatch[]>;
}

/** Cosine similarity; 0 when either vector is all zeros (nothing to compare), clamped against rounding drift. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new AppError("invalid_input", `Cannot compare vectors of ${a.length} and ${b.length} dimensions.`);
  }
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index += 1) {
    const x = a[index] ?? 0;
    const y = b[index] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  if (normA === 0 || normB === 0) return 0;
  return Math.max(-1, Math.min(1, dot / Math.sqrt(normA * normB)));
}

/** A unit-length copy; an all-zero vector stays all zeros because it has no direction to keep. */
export function l2normalize(v: ArrayLike<number>): Float32Array {
  let sumOfSquares = 0;
  for (let index = 0; index < v.length; index += 1) {
    const x = v[index] ?? 0;
    sumOfSquares += x * x;
  }
  const result = new Float32Array(v.length);
  if (sumOfSquares === 0) return result;
  const scale = 1 / Math.sqrt(sumOfSquares);
  for (let index = 0; index < v.length; index += 1) result[index] = (v[index] ?? 0) * scale;
  return result;
}

/** Exact-match filter semantics of `VectorIndex.query`, for adapters that filter in memory. */
export function matchesFilter(metadata: VectorMetadata | undefined, filter: VectorMetadata | undefined): boolean {
  if (!filter) return true;
  for (const [key, expected] of Object.entries(filter)) {
    if (!metadata || !Object.hasOwn(metadata, key) || metadata[key] !== expected) return false;
  }
  return true;
}

/** Rejects a `topK` the index cannot serve, so callers learn about the limit instead of getting silently fewer. */
export function checkTopK(topK: number, maxTopK: number): void {
  if (!Number.isInteger(topK) || topK < 1 || topK > maxTopK) {
    throw new AppError("invalid_input", `topK must be an integer from 1 to ${maxTopK}; got ${topK}.`, {
      details: { topK, maxTopK },
    });
  }
}
