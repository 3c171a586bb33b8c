/**
 * The offline default embedder: feature hashing of an error's structural features (`errorFeatures`: exception
 * class, stemmed message words and character 4-grams, the classes, methods and identifier words of its top
 * stack frames), weighted by their evidence value, into a fixed number of dimensions.
 *
 * What it captures: the same error in other words when the words share stems or character runs ("comparing
 * naive and aware datetimes" / "can't compare offset-naive and offset-aware datetimes"), and failures of one bug
 * that share stack structure but not message text (the same buggy method on the stack, the same class under
 * test). What it cannot capture: meaning. Synonyms with no shared stem ("refused"/"rejected") and cross-runtime
 * equivalents ("KeyError" vs "undefined is not an object") look unrelated; a learned model (Workers AI, an
 * OpenAI-compatible API) is the way to get those. A text with no features embeds as the all-zero vector, which
 * is similar to nothing.
 *
 * It needs no network, no account and no model download, so vector search works (and is tested) offline.
 */
import { errorFeatures } from "../errors/features";
import type { Embedder } from "./ports";
import { l2normalize } from "./ports";

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, 32-bit, over UTF-16 code units. */
function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

export const HASHING_EMBEDDER_MODEL = "local-error-hash-v2";

export interface HashingEmbedderOptions {
  /** Number of hash buckets; more buckets mean fewer collisions between unrelated features. */
  dimensions?: number;
}

/**
 * Unrelated errors share no features, so their cosine comes from hash collisions alone: at most about 0.17 in 384
 * dimensions across the development sets. A paraphrase sharing a few stems scores 0.3 or more.
 */
export const HASHING_MIN_SIMILARITY = 0.2;

export class HashingEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly minSimilarity = HASHING_MIN_SIMILARITY;

  constructor(options: HashingEmbedderOptions = {}) {
    const dimensions = options.dimensions ?? 384;
    if (!Number.isInteger(dimensions) || dimensions < 1) throw new RangeError("dimensions must be a positive integer");
    this.dimensions = dimensions;
    // Another size gives other vectors for the same text, so it must not share the default model id.
    this.id = dimensions === 384 ? HASHING_EMBEDDER_MODEL : `${HASHING_EMBEDDER_MODEL}:${dimensions}`;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((text) => this.embedOne(text));
  }

  private embedOne(text: string): Float32Array {
    const vector = new Float64Array(this.dimensions);
    for (const [feature, { weight, count }] of errorFeatures(text)) {
      const hash = fnv1a32(feature);
      // The sign comes from the top bit so colliding features cancel out on average instead of piling up.
      const sign = hash & 0x80000000 ? -1 : 1;
      const bucket = (hash & 0x7fffffff) % this.dimensions;
      // Sublinear tf: a 4-gram repeated along a long message should not drown out the stack frames.
      vector[bucket] = (vector[bucket] ?? 0) + sign * weight * (1 + Math.log(count));
    }
    return l2normalize(vector);
  }
}
