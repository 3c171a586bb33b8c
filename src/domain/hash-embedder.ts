/**
 * An offline, deterministic embedder: feature hashing of an error's search terms and their character trigrams.
 *
 * What it captures: lexical and morphological overlap. Whole terms (from `errorSearchTerms`, so paths, numbers
 * and other volatile values are already abstracted away) give exact-word matches; trigrams of each term make
 * inflections and compounds land close ("compare"/"comparing", "datetime"/"datetimes", "typeerror"/"type").
 * What it cannot capture: meaning. Synonyms ("refused" vs "rejected"), paraphrases with no shared word stems,
 * and cross-language equivalents ("KeyError" vs "undefined is not an object") look unrelated. Term order is
 * ignored, and only the first `MAX_SEARCH_TERMS` terms of a long text count. A text with no terms at all
 * (only punctuation, numbers or stopwords) embeds as the all-zero vector, which is similar to nothing.
 *
 * It exists so that vector search works, and can be tested, without any network or model download; a learned
 * model (Workers AI, an OpenAI-compatible API) is the way to get semantic similarity.
 */
import { errorSearchTerms } from "./error-normalize";
import type { Embedder } from "./vectors";
import { l2normalize } from "./vectors";

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, 32-bit, over UTF-16 code units (terms are ASCII, so this equals hashing their bytes). */
function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

export interface HashingEmbedderOptions {
  /** Number of hash buckets; more buckets mean fewer collisions between unrelated features. */
  dimensions?: number;
  /** Weight of a whole-term feature relative to one trigram feature. */
  termWeight?: number;
  trigramWeight?: number;
}

export class HashingEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly termWeight: number;
  private readonly trigramWeight: number;

  constructor(options: HashingEmbedderOptions = {}) {
    const dimensions = options.dimensions ?? 384;
    if (!Number.isInteger(dimensions) || dimensions < 1) throw new RangeError("dimensions must be a positive integer");
    this.dimensions = dimensions;
    this.termWeight = options.termWeight ?? 1;
    this.trigramWeight = options.trigramWeight ?? 0.5;
    // Other settings give other vectors for the same text, so they must not share the default model id.
    const isDefault = dimensions === 384 && this.termWeight === 1 && this.trigramWeight === 0.5;
    this.id = isDefault ? "local-hash-v1" : `local-hash-v1:${dimensions}:${this.termWeight}:${this.trigramWeight}`;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((text) => this.embedOne(text));
  }

  private embedOne(text: string): Float32Array {
    const counts = new Map<string, number>();
    const add = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);
    for (const term of errorSearchTerms(text)) {
      add(`w:${term}`);
      // Boundary markers keep prefixes and suffixes distinct from the same letters inside a word.
      const padded = `^${term}$`;
      for (let index = 0; index + 3 <= padded.length; index += 1) add(`g:${padded.slice(index, index + 3)}`);
    }
    const vector = new Float64Array(this.dimensions);
    for (const [feature, count] of counts) {
      const hash = fnv1a32(feature);
      // The sign comes from the top bit so colliding features cancel out on average instead of piling up.
      const sign = hash & 0x80000000 ? -1 : 1;
      const bucket = (hash & 0x7fffffff) % this.dimensions;
      const weight = feature.startsWith("w:") ? this.termWeight : this.trigramWeight;
      // Sublinear tf: a trigram repeated across many terms should not drown out the rest of the text.
      vector[bucket] = (vector[bucket] ?? 0) + sign * weight * (1 + Math.log(count));
    }
    return l2normalize(vector);
  }
}
