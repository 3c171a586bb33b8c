// Writes durable-objects/vector-kernel.wasm: the int8 dot-product kernel behind ProjectVectors' scan.
//
// Workers cannot compile WebAssembly from bytes at run time ("Wasm code generation disallowed by embedder"), so
// the kernel ships as a .wasm module that wrangler (and the vitest pool) import as a compiled module. It is tiny
// and has no toolchain: this script assembles it instruction by instruction. Equivalent text format:
//
//   (module
//     (memory (export "memory") 1)
//     (func (export "dots") (param $query i32) (param $codes i32) (param $stride i32) (param $rows i32)
//                           (param $out i32)
//       ;; for each of $rows rows of $stride int8 codes starting at $codes, write the int32 dot product with the
//       ;; $stride int16 query values at $query to $out[row]. $stride is a positive multiple of 32.
//       ;; Per 32 codes: sign-extend 16 bytes to two i16x8, i32x4.dot_i16x8_s with the query, accumulate in
//       ;; two i32x4 accumulators, and add the four lanes at the end of the row.
//   ))
//
// Usage: node scripts/build-vector-kernel.mjs [--check]   (--check: exit 1 if the committed file differs)
import { readFileSync, writeFileSync } from "node:fs";

const TARGET = new URL("../durable-objects/vector-kernel.wasm", import.meta.url);

/** @param {number} n unsigned LEB128 */
function uleb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** @param {number} n signed LEB128 */
function sleb(n) {
  const out = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** @param {number} id @param {number[]} bytes */
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
/** @param {string} text */
const name = (text) => [...uleb(text.length), ...new TextEncoder().encode(text)];

const I32 = 0x7f;
const V128 = 0x7b;
const BLOCK = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const END = 0x0b;
const BR_IF = 0x0d;
const I32_EQZ = 0x45;
const I32_LT_U = 0x49;
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
/** @param {number} index */
const get = (index) => [0x20, ...uleb(index)];
/** @param {number} index */
const set = (index) => [0x21, ...uleb(index)];
/** @param {number} index */
const tee = (index) => [0x22, ...uleb(index)];
/** @param {number} value */
const i32Const = (value) => [0x41, ...sleb(value)];
/** @param {number} opcode SIMD instructions are 0xfd followed by the LEB128 opcode */
const simd = (opcode) => [0xfd, ...uleb(opcode)];
/** @param {number} offset v128.load with 16-byte alignment */
const v128Load = (offset) => [...simd(0x00), 4, ...uleb(offset)];
const V128_ZERO = [...simd(0x0c), ...new Array(16).fill(0)];
const I16X8_EXTEND_LOW_I8X16_S = simd(0x87);
const I16X8_EXTEND_HIGH_I8X16_S = simd(0x88);
const I32X4_DOT_I16X8_S = simd(0xba);
const I32X4_ADD = simd(0xae);
/** @param {number} lane */
const i32x4ExtractLane = (lane) => [...simd(0x1b), lane];
const I32_STORE = [0x36, 2, 0];

// Parameters, then locals.
const [QUERY, CODES, STRIDE, ROWS, OUT, ROW_END, QP, OUT_END, ACC0, ACC1, V] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** 16 codes at $codes+codeOffset times 16 query values at $qp+queryOffset, added to `acc`. */
const sixteen = (/** @type {number} */ acc, /** @type {number} */ codeOffset, /** @type {number} */ queryOffset) => [
  ...get(CODES),
  ...v128Load(codeOffset),
  ...set(V),
  ...get(acc),
  ...get(V),
  ...I16X8_EXTEND_LOW_I8X16_S,
  ...get(QP),
  ...v128Load(queryOffset),
  ...I32X4_DOT_I16X8_S,
  ...I32X4_ADD,
  ...get(V),
  ...I16X8_EXTEND_HIGH_I8X16_S,
  ...get(QP),
  ...v128Load(queryOffset + 16),
  ...I32X4_DOT_I16X8_S,
  ...I32X4_ADD,
  ...set(acc),
];

const body = [
  // $outEnd = $out + $rows * 4
  ...get(OUT),
  ...get(ROWS),
  ...i32Const(2),
  I32_SHL,
  I32_ADD,
  ...set(OUT_END),
  BLOCK,
  VOID,
  ...get(ROWS),
  I32_EQZ,
  BR_IF,
  0,
  LOOP, // one row
  VOID,
  ...get(CODES),
  ...get(STRIDE),
  I32_ADD,
  ...set(ROW_END),
  ...get(QUERY),
  ...set(QP),
  ...V128_ZERO,
  ...set(ACC0),
  ...V128_ZERO,
  ...set(ACC1),
  LOOP, // 32 codes of the row
  VOID,
  ...sixteen(ACC0, 0, 0),
  ...sixteen(ACC1, 16, 32),
  ...get(CODES),
  ...i32Const(32),
  I32_ADD,
  ...tee(CODES),
  ...get(QP),
  ...i32Const(64),
  I32_ADD,
  ...set(QP),
  ...get(ROW_END),
  I32_LT_U,
  BR_IF,
  0,
  END,
  // $out[row] = sum of the lanes of $acc0 + $acc1
  ...get(OUT),
  ...get(ACC0),
  ...get(ACC1),
  ...I32X4_ADD,
  ...tee(ACC0),
  ...i32x4ExtractLane(0),
  ...get(ACC0),
  ...i32x4ExtractLane(1),
  I32_ADD,
  ...get(ACC0),
  ...i32x4ExtractLane(2),
  I32_ADD,
  ...get(ACC0),
  ...i32x4ExtractLane(3),
  I32_ADD,
  ...I32_STORE,
  ...get(OUT),
  ...i32Const(4),
  I32_ADD,
  ...tee(OUT),
  ...get(OUT_END),
  I32_LT_U,
  BR_IF,
  0,
  END,
  END,
  END,
];
const locals = [2, ...uleb(3), I32, ...uleb(3), V128];
const func = [...locals, ...body];

const bytes = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]), // type: (i32 ×5) -> ()
  ...section(3, [1, 0]), // function 0 has type 0
  ...section(5, [1, 0x00, 1]), // one memory, 1 page minimum, no maximum
  ...section(7, [2, ...name("dots"), 0x00, 0, ...name("memory"), 0x02, 0]),
  ...section(10, [1, ...uleb(func.length), ...func]),
]);

new WebAssembly.Module(bytes); // validates

if (process.argv.includes("--check")) {
  const committed = readFileSync(TARGET);
  if (!Buffer.from(bytes).equals(committed)) {
    console.error(`${TARGET.pathname} is out of date: run node scripts/build-vector-kernel.mjs`);
    process.exit(1);
  }
  console.log(`${TARGET.pathname} is up to date (${bytes.length} bytes)`);
} else {
  writeFileSync(TARGET, bytes);
  console.log(`wrote ${TARGET.pathname} (${bytes.length} bytes)`);
}
