// Builds the prose-duplicates dev set (dev.jsonl + distractors.jsonl) from the OpenOffice duplicate-pair table
// kd/lda_title/OfficeDupsTestWithMetaData.csv of the public repository dutta1kartik3/duplicate-bug-detection
// (see README.md beside this file for the exact commit, provenance and caveats).
// Usage: node bench/corpora/prose-duplicates/build.mjs <OfficeDupsTestWithMetaData.csv> <out-dir> [--pairs 400]
// The source table is not committed here: it is data from a fetched snapshot and must stay out of this repository.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { pairs: { type: "string", default: "400" }, seed: { type: "string", default: "18" } },
});
const [sourcePath, outDir] = positionals;
if (positionals.length !== 2 || sourcePath === undefined || outDir === undefined) {
  console.error("usage: build.mjs <OfficeDupsTestWithMetaData.csv> <out-dir> [--pairs N] [--seed S]");
  process.exit(2);
}
const WANTED_PAIRS = Number(values.pairs);
const MAX_CHARS = 1500;
const NEAR_IDENTICAL = 0.9;

// The table is tab-separated without quoting (its texts have no punctuation left). Columns are positional because
// the header repeats names (bug_id_x appears twice).
const lines = readFileSync(sourcePath, "utf8").split("\n").filter(Boolean);
const [headerLine] = lines;
if (headerLine === undefined) throw new Error(`empty source table: ${sourcePath}`);
const header = headerLine.split("\t");
const expected = ["", "bug_id_x", "title_x", "description_x", "dup_id_x", "bug_id_y", "title_y", "description_y"];
if (expected.some((name, i) => header[i] !== name) || header.length !== 23) {
  throw new Error(`unexpected header: ${header.join(",")}`);
}
/** @typedef {{ id: string, title: string, description: string, product: string, component: string, created: string }} Report */
/** @typedef {{ query: Report, target: Report }} Pair */

const rows = lines.slice(1).map((line) => {
  const cells = line.split("\t");
  if (cells.length !== 23) throw new Error(`row with ${cells.length} columns: ${line.slice(0, 80)}`);
  // Every index below is < 23, which the length check above guarantees, so the fallback never applies.
  /** @param {number} i */
  const c = (i) => cells[i] ?? "";
  /** @type {{ x: Report, dupOfX: string, y: Report }} */
  const row = {
    x: { id: c(1), title: c(2), description: c(3), product: c(11), component: c(12), created: c(15) },
    dupOfX: c(4),
    y: { id: c(5), title: c(6), description: c(7), product: c(18), component: c(19), created: c(22) },
  };
  return row;
});

// Every report once, keyed by Bugzilla id; the two copies of a report in different rows are the same text.
/** @type {Map<string, Report>} */
const reports = new Map();
for (const { x, y } of rows) for (const r of [x, y]) if (!reports.has(r.id)) reports.set(r.id, r);

// Duplicate groups: a report must never be a distractor for a target in its own group, even through a chain.
/** @type {Map<string, string>} */
const parent = new Map();
for (const id of reports.keys()) parent.set(id, id);
/** @param {string} id */
const parentOf = (id) => {
  const p = parent.get(id);
  if (p === undefined) throw new Error(`unknown report ${id}`);
  return p;
};
/** @param {string} id */
const find = (id) => {
  while (parentOf(id) !== id) {
    parent.set(id, parentOf(parentOf(id)));
    id = parentOf(id);
  }
  return id;
};
/**
 * @param {string} a
 * @param {string} b
 */
const union = (a, b) => parent.set(find(a), find(b));
for (const { x, y, dupOfX } of rows) {
  union(x.id, y.id);
  if (reports.has(dupOfX)) union(x.id, dupOfX);
}

/** @param {Report} r */
const textOf = (r) => {
  const body = r.description.trim();
  const full = body ? `${r.title.trim()}\n\n${body}` : r.title.trim();
  return full.length <= MAX_CHARS ? full : full.slice(0, full.lastIndexOf(" ", MAX_CHARS) || MAX_CHARS);
};
// Crash dumps and traces survive the source's punctuation stripping as runs of "at com sun star ..." or hex
// addresses; this set is about prose, so such pairs are left out.
const TRACE = /\bat (?:com|org|java|javax|sun)\b|\b0x[0-9a-f]{4,}\b|\bexception in thread\b|\bsegmentation fault\b/g;
/** @param {string} text */
const looksLikeTrace = (text) => (text.match(TRACE) ?? []).length >= 3;

/** @typedef {{ grams: Map<string, number>, size: number }} Bigrams */

/**
 * @param {string} text
 * @returns {Bigrams}
 */
function bigrams(text) {
  const s = text.toLowerCase().replace(/\s+/g, " ");
  /** @type {Map<string, number>} */
  const grams = new Map();
  for (let i = 0; i < s.length - 1; i++) grams.set(s.slice(i, i + 2), (grams.get(s.slice(i, i + 2)) ?? 0) + 1);
  return { grams, size: Math.max(s.length - 1, 1) };
}
/**
 * @param {Bigrams} a
 * @param {Bigrams} b
 */
function dice(a, b) {
  let shared = 0;
  for (const [g, n] of a.grams) shared += Math.min(n, b.grams.get(g) ?? 0);
  return (2 * shared) / (a.size + b.size);
}

// Candidate pairs: the duplicate was filed after the report it duplicates (the situation of a new report arriving),
// both reports have a body, and neither is a trace dump.
const skipped = { earlierDuplicate: 0, noBody: 0, trace: 0 };
/** @type {Pair[]} */
const candidates = [];
for (const { x, y } of rows) {
  if (!(x.created > y.created)) skipped.earlierDuplicate++;
  else if (x.description.trim().length < 20 || y.description.trim().length < 20) skipped.noBody++;
  else if (looksLikeTrace(textOf(x)) || looksLikeTrace(textOf(y))) skipped.trace++;
  else candidates.push({ query: x, target: y });
}

// Deterministic shuffle (mulberry32) so the set is reproducible from the same source and seed.
let state = Number(values.seed) >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
for (let i = candidates.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  const a = candidates[i];
  const b = candidates[j];
  if (!a || !b) throw new Error(`shuffle index out of range: ${i}, ${j}`);
  candidates[i] = b;
  candidates[j] = a;
}

// One pair per duplicate group keeps the queries independent and leaves the other groups as distractors.
/** @type {Pair[]} */
const chosen = [];
const usedGroups = new Set();
for (const pair of candidates) {
  if (chosen.length === WANTED_PAIRS) break;
  const group = find(pair.target.id);
  if (usedGroups.has(group)) continue;
  usedGroups.add(group);
  chosen.push(pair);
}
chosen.sort((a, b) => Number(a.query.id) - Number(b.query.id));

/** @param {string} id */
const source = (id) => `apache-ooo-bugzilla#${id}`;
const dev = chosen.map(({ query, target }, i) => {
  const q = textOf(query);
  const t = textOf(target);
  return {
    id: `prose-${String(i + 1).padStart(3, "0")}`,
    project: "openoffice",
    query_id: query.id,
    target_id: target.id,
    query: q,
    target: t,
    product: query.product,
    component: query.component,
    target_component: target.component,
    near_identical: dice(bigrams(q), bigrams(t)) >= NEAR_IDENTICAL,
    source: { query: source(query.id), target: source(target.id) },
  };
});

// Distractors: every other report of the table whose duplicate group holds no chosen pair. A report whose text is
// near-identical to a target is dropped too: it would be an unmarked duplicate, i.e. a second right answer.
const targetGrams = dev.map((p) => bigrams(p.target));
const dropped = { nearTarget: 0 };
const distractors = [];
for (const r of [...reports.values()].sort((a, b) => Number(a.id) - Number(b.id))) {
  if (usedGroups.has(find(r.id))) continue;
  const text = textOf(r);
  const grams = bigrams(text);
  if (targetGrams.some((g) => dice(g, grams) >= NEAR_IDENTICAL)) {
    dropped.nearTarget++;
    continue;
  }
  distractors.push({
    id: `prose-d-${r.id}`,
    project: "openoffice",
    issue_id: r.id,
    text,
    product: r.product,
    component: r.component,
    source: source(r.id),
  });
}

mkdirSync(outDir, { recursive: true });
/** @param {object[]} items */
const jsonl = (items) => items.map((o) => JSON.stringify(o)).join("\n") + "\n";
writeFileSync(join(outDir, "dev.jsonl"), jsonl(dev));
writeFileSync(join(outDir, "distractors.jsonl"), jsonl(distractors));
console.log(
  JSON.stringify(
    {
      sourceRows: rows.length,
      uniqueReports: reports.size,
      groups: new Set([...reports.keys()].map(find)).size,
      candidates: candidates.length,
      skipped,
      pairs: dev.length,
      nearIdenticalPairs: dev.filter((p) => p.near_identical).length,
      distractors: distractors.length,
      dropped,
    },
    null,
    2,
  ),
);
