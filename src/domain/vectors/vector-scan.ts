/**
 * Exact top-K cosine search over vectors held in memory: the scan behind the ProjectVectors Durable Object, kept
 * free of Workers imports so the benchmark can run the same code in Node.
 *
 * Why not a plain float32 loop: 100,000 × 384 multiply-adds in JavaScript take 40–60 ms per query, most of the
 * 100 ms budget of a whole search. Instead each vector is kept as int8 codes (a quarter of the memory) and a
 * WebAssembly SIMD kernel computes integer dot products with an int16 encoding of the query, several times faster.
 *
 * Why the results are still exact: quantisation error is bounded per row. With u = s·c + r (unit vector, scale,
 * codes, residual) and q = t·d + e for the query, |u·q − (s·c)·(t·d)| ≤ ‖r‖ + ‖s·c‖·‖e‖. Pass 1 turns every
 * estimate into an interval; rows whose upper bound is below the topK-th best lower bound cannot be in the
 * answer. Pass 2 re-scores the survivors from their float32 values in order of upper bound, and stops when no
 * remaining upper bound can beat the topK-th exact score. The answer is the brute-force cosine top-K (the unit
 * test compares them), while only a few dozen rows are read back at full precision.
 */
import { AppError } from "../core/app-error";
import type { VectorMatch, VectorMetadata } from "./ports";
import { cosine } from "./ports";

/** Rows are padded to a multiple of 32 codes: the kernel consumes two 16-byte lanes per step. */
const ROW_ALIGN = 32;
/** Codes are symmetric int8, so that -x quantises to -q. */
const CODE_MAX = 127;
/** Slack added to every error bound, covering float rounding in the bound, the estimate and the exact score. */
const BOUND_SLACK = 1e-6;
/** Stored bounds are rounded to float32; inflating them first keeps them upper bounds. */
const INFLATE = 1 + 1e-6;
const WASM_PAGE = 65_536;
const INITIAL_CAPACITY = 64;
/** Candidates re-scored per `exact` call after the first call (which asks for topK + this many). */
const RESCORE_BATCH = 32;

/** The raw float32 values of stored vectors, by the key given to `set`; used to re-score the best candidates. */
export type ExactVectorSource = (keys: number[]) => Map<number, Float32Array>;

export interface VectorScanOptions {
  /**
   * The compiled `durable-objects/vector-kernel.wasm`. Without it the same integer dot products run in plain
   * JavaScript (identical results, about 20 times slower).
   */
  kernel?: WebAssembly.Module;
}

export interface VectorScanQuery {
  topK: number;
  filter?: VectorMetadata;
}

export interface VectorScanStats {
  vectors: number;
  /** Dimensionalities present, ascending. */
  dimensions: number[];
  /** Bytes of codes, per-row numbers and kernel memory (excluding ids, metadata and the id map). */
  bytes: number;
  /** Of the last query: rows whose bounds did not rule them out, and rows re-scored from exact values. */
  lastQuery: { candidates: number; rescored: number };
}

/**
 * In-memory vectors, one slab per dimensionality (vectors of another dimensionality than the query come from
 * another embedder and never match). Each stored vector has a caller-chosen numeric key under which `exact`
 * finds its float32 values (ProjectVectors uses the SQLite row key).
 */
export class VectorScan {
  private readonly slabs = new Map<number, Slab>();
  private readonly kernel: WebAssembly.Module | undefined;
  private lastQuery = { candidates: 0, rescored: 0 };

  constructor(options: VectorScanOptions = {}) {
    this.kernel = options.kernel;
  }

  get size(): number {
    let total = 0;
    for (const slab of this.slabs.values()) total += slab.count;
    return total;
  }

  /** Makes room for `count` vectors of `dims` dimensions at once (bulk loads avoid repeated growth). */
  reserve(dims: number, count: number): void {
    this.slab(dims).reserve(count);
  }

  /** Inserts or replaces the vector `id`. Values need not be normalised; a zero vector matches nothing better than 0. */
  set(id: string, key: number, values: ArrayLike<number>, metadata?: VectorMetadata): void {
    checkVectorValues(values);
    const dims = values.length;
    for (const [slabDims, slab] of this.slabs) {
      if (slabDims !== dims) slab.remove(id);
    }
    this.slab(dims).put(id, key, values, metadata);
  }

  /** Removes `id`; false if it was not stored. */
  delete(id: string): boolean {
    for (const slab of this.slabs.values()) {
      if (slab.remove(id)) return true;
    }
    return false;
  }

  /**
   * The `topK` stored vectors most cosine-similar to `vector` among those of its dimensionality whose metadata
   * matches `filter` (exact equality on every key), best first; equal scores are ordered by id. Scores are the
   * exact cosine of the float32 values that `exact` returns.
   */
  query(vector: ArrayLike<number>, options: VectorScanQuery, exact: ExactVectorSource): VectorMatch[] {
    checkVectorValues(vector);
    const { topK } = options;
    if (!Number.isInteger(topK) || topK < 1) {
      throw new AppError("invalid_input", `topK must be a positive integer; got ${topK}.`);
    }
    this.lastQuery = { candidates: 0, rescored: 0 };
    const slab = this.slabs.get(vector.length);
    if (!slab || slab.count === 0) return [];
    const matches = filterMatcher(options.filter);

    const query = slab.encodeQuery(vector);
    if (!query) {
      // Nothing is similar to the zero vector: every score is 0, so the order is by id alone.
      const best = new TopK(topK, slab.ids);
      for (let row = 0; row < slab.count; row += 1) {
        if (matches(slab.metadata[row])) best.offer(row, 0);
      }
      return best.sorted().map((entry) => slab.match(entry.row, 0));
    }

    // Pass 1: an int8 estimate of every score with a proven error bound. The topK-th best lower bound is a
    // threshold: a row whose upper bound is below it cannot be in the result.
    const dots = slab.dots();
    const { scale, residual, codeNorm, count } = slab;
    const queryScale = query.scale;
    const queryResidual = query.residual;
    const lower = new MinHeap(topK);
    let candidateRows = new Int32Array(Math.min(count, topK * 4 + 64));
    let candidateUpper = new Float64Array(candidateRows.length);
    let candidates = 0;
    for (let row = 0; row < count; row += 1) {
      const estimate = (dots[row] ?? 0) * (scale[row] ?? 0) * queryScale;
      const bound = (residual[row] ?? 0) + (codeNorm[row] ?? 0) * queryResidual + BOUND_SLACK;
      const upper = estimate + bound;
      if (lower.full && upper < lower.min) continue;
      if (!matches(slab.metadata[row])) continue;
      lower.offer(estimate - bound);
      if (candidates === candidateRows.length) {
        const rows = new Int32Array(candidates * 2);
        rows.set(candidateRows);
        candidateRows = rows;
        const uppers = new Float64Array(candidates * 2);
        uppers.set(candidateUpper);
        candidateUpper = uppers;
      }
      candidateRows[candidates] = row;
      candidateUpper[candidates] = upper;
      candidates += 1;
    }
    const threshold = lower.full ? lower.min : -Infinity;
    const order: number[] = [];
    for (let index = 0; index < candidates; index += 1) {
      if ((candidateUpper[index] ?? 0) >= threshold) order.push(index);
    }
    order.sort((a, b) => (candidateUpper[b] ?? 0) - (candidateUpper[a] ?? 0));

    // Pass 2: exact scores for candidates in order of their upper bounds, until no remaining upper bound can
    // reach the topK-th exact score.
    const best = new TopK(topK, slab.ids);
    let next = 0;
    let rescored = 0;
    while (next < order.length) {
      if (best.full && (candidateUpper[order[next] ?? 0] ?? 0) < best.worstScore) break;
      const size = next === 0 ? topK + RESCORE_BATCH / 2 : RESCORE_BATCH;
      const batch = order.slice(next, next + size).map((index) => candidateRows[index] ?? 0);
      next += batch.length;
      const values = exact(batch.map((row) => slab.keys[row] ?? 0));
      for (const row of batch) {
        const stored = values.get(slab.keys[row] ?? 0);
        if (!stored) {
          throw new AppError("internal", `The exact values of vector "${slab.ids[row]}" are missing.`);
        }
        best.offer(row, cosine(stored, vector));
        rescored += 1;
      }
    }
    this.lastQuery = { candidates: order.length, rescored };
    return best.sorted().map((entry) => slab.match(entry.row, entry.score));
  }

  stats(): VectorScanStats {
    const dimensions = [...this.slabs.values()]
      .filter((slab) => slab.count > 0)
      .map((slab) => slab.dims)
      .sort((a, b) => a - b);
    let bytes = 0;
    for (const slab of this.slabs.values()) bytes += slab.bytes();
    return { vectors: this.size, dimensions, bytes, lastQuery: { ...this.lastQuery } };
  }

  private slab(dims: number): Slab {
    let slab = this.slabs.get(dims);
    if (!slab) {
      slab = new Slab(dims, this.kernel ? new WasmMemory(this.kernel) : new JsMemory());
      this.slabs.set(dims, slab);
    }
    return slab;
  }
}

/** Little-endian float32 bytes (the SQLite BLOB format of ProjectVectors, same as D1VectorIndex's). */
export function float32ToBytes(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN)
    return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < values.length; index += 1) view.setFloat32(index * 4, values[index] ?? 0, true);
  return bytes;
}

/** The inverse of `float32ToBytes`. An ArrayBuffer (what Durable Object SQLite returns) is viewed, not copied. */
export function bytesToFloat32(blob: ArrayBuffer | Uint8Array): Float32Array {
  const bytes = blob instanceof Uint8Array ? blob : new Uint8Array(blob);
  if (bytes.byteLength % 4 !== 0) {
    throw new AppError("internal", `A stored vector is ${bytes.byteLength} bytes, not a whole number of floats.`);
  }
  if (LITTLE_ENDIAN && blob instanceof ArrayBuffer) return new Float32Array(blob);
  if (LITTLE_ENDIAN) {
    // Copy: a view would need 4-byte alignment and would keep a larger buffer alive.
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(bytes.byteLength / 4);
  for (let index = 0; index < values.length; index += 1) values[index] = view.getFloat32(index * 4, true);
  return values;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Rejects an empty vector or one holding NaN or ±Infinity (which would poison every score). */
export function checkVectorValues(values: ArrayLike<number>): void {
  if (values.length === 0) throw new AppError("invalid_input", "A vector needs at least one dimension.");
  for (let index = 0; index < values.length; index += 1) {
    if (!Number.isFinite(values[index])) {
      throw new AppError("invalid_input", `A vector value is not a finite number (at index ${index}).`);
    }
  }
}

function filterMatcher(filter: VectorMetadata | undefined): (metadata: VectorMetadata | undefined) => boolean {
  const entries = filter ? Object.entries(filter) : [];
  if (entries.length === 0) return () => true;
  return (metadata) => {
    if (!metadata) return false;
    for (const [key, expected] of entries) {
      if (metadata[key] !== expected || !Object.hasOwn(metadata, key)) return false;
    }
    return true;
  };
}

/** Linear memory for one slab plus the dot-product routine over it. */
interface KernelMemory {
  readonly buffer: ArrayBuffer;
  /** Grows to at least `bytes`; views over the old buffer are invalid afterwards. */
  grow(bytes: number): void;
  /** out[r] = Σ codes[r·stride + i] · query[i] for r < rows (int8 codes, int16 query, int32 out). */
  dots(query: number, codes: number, stride: number, rows: number, out: number): void;
}

class WasmMemory implements KernelMemory {
  private readonly memory: WebAssembly.Memory;
  private readonly run: (query: number, codes: number, stride: number, rows: number, out: number) => void;

  constructor(module: WebAssembly.Module) {
    const exports = new WebAssembly.Instance(module, {}).exports as {
      memory: WebAssembly.Memory;
      dots: (query: number, codes: number, stride: number, rows: number, out: number) => void;
    };
    this.memory = exports.memory;
    this.run = exports.dots;
  }

  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  grow(bytes: number): void {
    const missing = bytes - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / WASM_PAGE));
  }

  dots(query: number, codes: number, stride: number, rows: number, out: number): void {
    if (rows > 0) this.run(query, codes, stride, rows, out);
  }
}

class JsMemory implements KernelMemory {
  buffer = new ArrayBuffer(0);

  grow(bytes: number): void {
    if (bytes <= this.buffer.byteLength) return;
    const next = new ArrayBuffer(bytes);
    new Uint8Array(next).set(new Uint8Array(this.buffer));
    this.buffer = next;
  }

  dots(query: number, codes: number, stride: number, rows: number, out: number): void {
    const q = new Int16Array(this.buffer, query, stride);
    const c = new Int8Array(this.buffer, codes, rows * stride);
    const o = new Int32Array(this.buffer, out, rows);
    for (let row = 0, offset = 0; row < rows; row += 1, offset += stride) {
      let sum = 0;
      for (let index = 0; index < stride; index += 1) sum += (q[index] ?? 0) * (c[offset + index] ?? 0);
      o[row] = sum;
    }
  }
}

/**
 * Vectors of one dimensionality. Kernel memory layout: the int16 query (stride values), then `capacity` rows of
 * `stride` int8 codes, then `capacity` int32 scores; growing moves only the scores, which are scratch.
 */
class Slab {
  readonly stride: number;
  count = 0;
  capacity = 0;
  scale = new Float32Array(0);
  residual = new Float32Array(0);
  codeNorm = new Float32Array(0);
  keys = new Float64Array(0);
  readonly ids: string[] = [];
  readonly metadata: Array<VectorMetadata | undefined> = [];
  private readonly rows = new Map<string, number>();
  private readonly codesOffset: number;
  /** Unit-length copy of the vector being written, reused. */
  private readonly unit: Float64Array;

  constructor(
    readonly dims: number,
    private readonly memory: KernelMemory,
  ) {
    this.stride = Math.ceil(dims / ROW_ALIGN) * ROW_ALIGN;
    this.codesOffset = this.stride * 2;
    this.unit = new Float64Array(dims);
  }

  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    this.memory.grow(this.codesOffset + capacity * this.stride + capacity * 4);
    this.scale = grown(this.scale, capacity);
    this.residual = grown(this.residual, capacity);
    this.codeNorm = grown(this.codeNorm, capacity);
    this.keys = grown(this.keys, capacity);
    this.capacity = capacity;
  }

  put(id: string, key: number, values: ArrayLike<number>, metadata: VectorMetadata | undefined): void {
    let row = this.rows.get(id);
    if (row === undefined) {
      if (this.count === this.capacity) this.reserve(Math.max(INITIAL_CAPACITY, this.capacity * 2));
      row = this.count;
      this.count += 1;
      this.rows.set(id, row);
      this.ids[row] = id;
    }
    this.keys[row] = key;
    this.metadata[row] = metadata;
    this.quantize(row, values);
  }

  /** Swap-remove: the last row moves into the hole, so rows stay dense. */
  remove(id: string): boolean {
    const row = this.rows.get(id);
    if (row === undefined) return false;
    this.rows.delete(id);
    const last = this.count - 1;
    if (row !== last) {
      const codes = new Int8Array(this.memory.buffer);
      const from = this.codesOffset + last * this.stride;
      codes.copyWithin(this.codesOffset + row * this.stride, from, from + this.stride);
      this.scale[row] = this.scale[last] ?? 0;
      this.residual[row] = this.residual[last] ?? 0;
      this.codeNorm[row] = this.codeNorm[last] ?? 0;
      this.keys[row] = this.keys[last] ?? 0;
      const movedId = this.ids[last] ?? "";
      this.ids[row] = movedId;
      this.metadata[row] = this.metadata[last];
      this.rows.set(movedId, row);
    }
    this.ids.length = last;
    this.metadata.length = last;
    this.count = last;
    return true;
  }

  /**
   * Stores round(unit / scale) with scale = max|unit| / 127, plus two bounds for the query: the norm of the
   * rounding residual (unit − scale·codes) and the norm of scale·codes.
   */
  private quantize(row: number, values: ArrayLike<number>): void {
    const { dims, unit } = this;
    const codes = new Int8Array(this.memory.buffer, this.codesOffset + row * this.stride, this.stride);
    let sumOfSquares = 0;
    for (let index = 0; index < dims; index += 1) {
      const value = values[index] ?? 0;
      sumOfSquares += value * value;
    }
    const norm = Math.sqrt(sumOfSquares);
    let maxAbs = 0;
    for (let index = 0; index < dims; index += 1) {
      const value = norm === 0 ? 0 : (values[index] ?? 0) / norm;
      unit[index] = value;
      maxAbs = Math.max(maxAbs, Math.abs(value));
    }
    codes.fill(0);
    const scale = Math.fround(maxAbs / CODE_MAX);
    let residualSquares = 0;
    let codeSquares = 0;
    if (scale > 0) {
      for (let index = 0; index < dims; index += 1) {
        const code = Math.max(-CODE_MAX, Math.min(CODE_MAX, Math.round((unit[index] ?? 0) / scale)));
        codes[index] = code;
        const approximation = code * scale;
        const error = (unit[index] ?? 0) - approximation;
        residualSquares += error * error;
        codeSquares += approximation * approximation;
      }
    }
    this.scale[row] = scale;
    this.residual[row] = Math.sqrt(residualSquares) * INFLATE;
    this.codeNorm[row] = Math.sqrt(codeSquares) * INFLATE;
  }

  /**
   * Writes the query as int16 into kernel memory: round(unit / s) with s = max|unit| / qmax, where qmax keeps
   * 127 · qmax · stride within int32 so the kernel's sums cannot overflow. Undefined for the zero vector.
   */
  encodeQuery(vector: ArrayLike<number>): { scale: number; residual: number } | undefined {
    const { dims } = this;
    let sumOfSquares = 0;
    for (let index = 0; index < dims; index += 1) {
      const value = vector[index] ?? 0;
      sumOfSquares += value * value;
    }
    if (sumOfSquares === 0) return undefined;
    const norm = Math.sqrt(sumOfSquares);
    let maxAbs = 0;
    for (let index = 0; index < dims; index += 1) maxAbs = Math.max(maxAbs, Math.abs((vector[index] ?? 0) / norm));
    const qmax = Math.min(32_767, Math.floor(0x7fffffff / (CODE_MAX * this.stride)));
    const scale = maxAbs / qmax;
    const query = new Int16Array(this.memory.buffer, 0, this.stride);
    query.fill(0);
    let residualSquares = 0;
    for (let index = 0; index < dims; index += 1) {
      const unit = (vector[index] ?? 0) / norm;
      const code = Math.max(-qmax, Math.min(qmax, Math.round(unit / scale)));
      query[index] = code;
      const error = unit - code * scale;
      residualSquares += error * error;
    }
    return { scale, residual: Math.sqrt(residualSquares) * INFLATE };
  }

  /** Integer dot products of the encoded query with every row (a view valid until the next write). */
  dots(): Int32Array {
    const scores = this.codesOffset + this.capacity * this.stride;
    this.memory.dots(0, this.codesOffset, this.stride, this.count, scores);
    return new Int32Array(this.memory.buffer, scores, this.count);
  }

  match(row: number, score: number): VectorMatch {
    const id = this.ids[row] ?? "";
    const metadata = this.metadata[row];
    return metadata === undefined ? { id, score } : { id, score, metadata: { ...metadata } };
  }

  bytes(): number {
    return this.memory.buffer.byteLength + this.capacity * (4 + 4 + 4 + 8);
  }
}

function grown<T extends Float32Array | Float64Array>(array: T, capacity: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity);
  next.set(array);
  return next;
}

/** A fixed-size min-heap of numbers: the largest `size` values offered, smallest at the root. */
class MinHeap {
  private readonly values: Float64Array;
  private length = 0;

  constructor(private readonly size: number) {
    this.values = new Float64Array(size);
  }

  get full(): boolean {
    return this.length === this.size;
  }

  get min(): number {
    return this.values[0] ?? -Infinity;
  }

  offer(value: number): void {
    const values = this.values;
    if (this.length < this.size) {
      let index = this.length;
      this.length += 1;
      while (index > 0) {
        const parent = (index - 1) >> 1;
        if ((values[parent] ?? 0) <= value) break;
        values[index] = values[parent] ?? 0;
        index = parent;
      }
      values[index] = value;
      return;
    }
    if (value <= (values[0] ?? 0)) return;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && (values[right] ?? 0) < (values[left] ?? 0) ? right : left;
      if ((values[child] ?? 0) >= value) break;
      values[index] = values[child] ?? 0;
      index = child;
    }
    values[index] = value;
  }
}

interface Ranked {
  row: number;
  score: number;
}

/** The best `size` rows by score, ties broken by id (smaller first); the worst kept one at the root. */
class TopK {
  private readonly heap: Ranked[] = [];

  constructor(
    private readonly size: number,
    private readonly ids: readonly string[],
  ) {}

  get full(): boolean {
    return this.heap.length === this.size;
  }

  get worstScore(): number {
    return this.heap[0]?.score ?? -Infinity;
  }

  offer(row: number, score: number): void {
    const entry = { row, score };
    const heap = this.heap;
    if (heap.length < this.size) {
      heap.push(entry);
      let index = heap.length - 1;
      while (index > 0) {
        const parent = (index - 1) >> 1;
        const above = heap[parent] as Ranked;
        if (!this.worse(entry, above)) break;
        heap[index] = above;
        index = parent;
      }
      heap[index] = entry;
      return;
    }
    if (!this.worse(heap[0] as Ranked, entry)) return;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && this.worse(heap[right] as Ranked, heap[left] as Ranked) ? right : left;
      const below = heap[child] as Ranked;
      if (!this.worse(below, entry)) break;
      heap[index] = below;
      index = child;
    }
    heap[index] = entry;
  }

  sorted(): Ranked[] {
    return [...this.heap].sort((a, b) => (this.worse(a, b) ? 1 : this.worse(b, a) ? -1 : 0));
  }

  private worse(a: Ranked, b: Ranked): boolean {
    if (a.score !== b.score) return a.score < b.score;
    return (this.ids[a.row] ?? "") > (this.ids[b.row] ?? "");
  }
}
