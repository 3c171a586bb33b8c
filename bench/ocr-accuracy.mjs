// OCR accuracy of `coding-memory screenshot` (local Tesseract, bundled English model): real error texts from
// ../shared/eval (GitHub issues: Python, Node, Java… tracebacks) are rendered as screenshots in three styles
// (dark terminal, light editor, small dark font), read back with the client's own recognizeText, and scored by
// character error rate: edit distance / reference length, after trimming each line and collapsing spaces
// (indentation and column alignment are layout, not content). Target: ≤ 5% CER.
//
// Usage: npm run bench:ocr -- [--samples 30] [--show 3]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { renderTextPng as render, TEXT_STYLES as STYLES } from "../test/support/render-text.mjs";
import { recognizeText } from "../src/cli/screenshot-command.mjs";

const { values } = parseArgs({
  options: { samples: { type: "string", default: "30" }, show: { type: "string", default: "3" } },
});
const EVAL = new URL("../../shared/eval/error-retrieval/", import.meta.url);

/** @param {string} name */
function jsonl(name) {
  return readFileSync(new URL(name, EVAL), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

const MAX_LINES = 24;
const MAX_CHARS = 100;
/** A screenshot shows what fits on screen: the first lines, each cut at the window's width. */
function visible(/** @type {string} */ text) {
  return text
    .replace(/\t/g, "    ")
    .split("\n")
    .slice(0, MAX_LINES)
    .map((line) => line.slice(0, MAX_CHARS))
    .join("\n");
}

const texts = [
  ...jsonl("dev.jsonl").flatMap((row) => [row.query, row.target]),
  ...jsonl("distractors.jsonl").map((row) => row.text),
]
  .filter((text) => typeof text === "string" && text.includes("\n"))
  .map(visible);
// A fixed, spread-out selection, so runs compare.
const step = Math.max(1, Math.floor(texts.length / Number(values.samples)));
const samples = texts.filter((_, index) => index % step === 0).slice(0, Number(values.samples));

/** @param {string} text */
const normalize = (text) =>
  text
    .split("\n")
    .map((line) => line.trim().replace(/\s+/g, " "))
    .filter(Boolean)
    .join("\n");

/** Levenshtein distance, two rows. @param {string} a @param {string} b */
function distance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(
        /** @type {number} */ (previous[j]) + 1,
        /** @type {number} */ (current[j - 1]) + 1,
        /** @type {number} */ (previous[j - 1]) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return /** @type {number} */ (previous[b.length]);
}

console.log(`${samples.length} real error texts × ${STYLES.length} styles`);
const rows = [];
let shown = 0;
for (const style of STYLES) {
  let errors = 0;
  let chars = 0;
  const started = performance.now();
  const rates = [];
  for (const text of samples) {
    const reference = normalize(text);
    const read = normalize(await recognizeText(await render(text, style)));
    const edits = distance(read, reference);
    errors += edits;
    chars += reference.length;
    rates.push(edits / reference.length);
    if (shown < Number(values.show) && edits / reference.length > 0.05) {
      shown += 1;
      console.log(
        `\n--- ${style.name}: CER ${((100 * edits) / reference.length).toFixed(1)}%\nexpected:\n${reference}\nread:\n${read}`,
      );
    }
  }
  rates.sort((a, b) => a - b);
  rows.push({
    style: style.name,
    characters: chars,
    "CER %": ((100 * errors) / chars).toFixed(2),
    "median CER %": (100 * (rates[Math.floor(rates.length / 2)] ?? 0)).toFixed(2),
    "worst CER %": (100 * (rates[rates.length - 1] ?? 0)).toFixed(2),
    "s per image": ((performance.now() - started) / 1000 / samples.length).toFixed(2),
  });
}
console.table(rows);
