// Plain BM25 baseline for the prose-duplicates dev set, so the set's difficulty is known before any engine runs on
// it. Deliberately naive: lower-cased word tokens split on non-alphanumerics, no stemming, no stop words, no
// normalisation, k1 1.2, b 0.75. The corpus is every distinct target plus every distractor, one project.
// Usage: node bench/prose-bm25.mjs [dir with dev.jsonl + distractors.jsonl]   (default ../shared/eval/prose-duplicates)
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const K1 = 1.2;
const B = 0.75;
const dir = process.argv[2] ?? fileURLToPath(new URL("../../shared/eval/prose-duplicates/", import.meta.url));

/** @typedef {{ target_id: string, target: string, query: string, near_identical: boolean }} Pair */
/** @typedef {{ id: string, text: string }} Distractor */
/** @typedef {{ pair: Pair, rank: number }} Ranked */

/** @param {string} name */
const readJsonl = (name) =>
  readFileSync(`${dir}/${name}`, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

/** @param {string} text */
const tokenize = (text) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/** @type {Pair[]} */
const pairs = readJsonl("dev.jsonl");
/** @type {Distractor[]} */
const distractorRows = readJsonl("distractors.jsonl");
/** @type {Map<string, string>} */
const docs = new Map();
for (const p of pairs) docs.set(`target:${p.target_id}`, p.target);
for (const d of distractorRows) docs.set(d.id, d.text);

const ids = [...docs.keys()];
const termFreqs = ids.map((id) => {
  /** @type {Map<string, number>} */
  const tf = new Map();
  for (const t of tokenize(docs.get(id) ?? "")) tf.set(t, (tf.get(t) ?? 0) + 1);
  return tf;
});
const lengths = termFreqs.map((tf) => [...tf.values()].reduce((a, b) => a + b, 0));
const avgLength = lengths.reduce((a, b) => a + b, 0) / ids.length;
/** @type {Map<string, [doc: number, n: number][]>} */
const postings = new Map();
termFreqs.forEach((tf, doc) => {
  for (const [term, n] of tf) {
    let list = postings.get(term);
    if (!list) postings.set(term, (list = []));
    list.push([doc, n]);
  }
});
/** @param {number} df */
const idf = (df) => Math.log(1 + (ids.length - df + 0.5) / (df + 0.5));

/** @param {string} query */
function scores(query) {
  const out = new Float64Array(ids.length);
  const seen = new Set();
  for (const term of tokenize(query)) {
    // Query terms count once each: repeated words in a pasted report should not dominate the ranking.
    const list = postings.get(term);
    if (seen.has(term) || !list) continue;
    seen.add(term);
    const w = idf(list.length);
    for (const [doc, n] of list) {
      out[doc] = (out[doc] ?? 0) + (w * n * (K1 + 1)) / (n + K1 * (1 - B + (B * (lengths[doc] ?? 0)) / avgLength));
    }
  }
  return out;
}

// Ties count against the target (it ranks after every document scoring the same), so the figures are not flattered.
/**
 * @param {Float64Array} s
 * @param {number} target
 */
const rankOf = (s, target) => {
  const own = s[target] ?? 0;
  let rank = 1;
  for (let i = 0; i < s.length; i++) if (i !== target && (s[i] ?? 0) >= own) rank++;
  return own > 0 ? rank : Infinity;
};
/** @type {Map<string, number>} */
const index = new Map(ids.map((id, i) => [id, i]));
/** @type {Ranked[]} */
const ranks = pairs.map((p) => {
  const target = index.get(`target:${p.target_id}`);
  if (target === undefined) throw new Error(`target of pair ${p.target_id} missing from the corpus`);
  return { pair: p, rank: rankOf(scores(p.query), target) };
});

/** @param {Ranked[]} list */
function summary(list) {
  const n = list.length || 1;
  /** @param {number} k */
  const at = (k) => list.filter((r) => r.rank <= k).length / n;
  const mrr = list.reduce((sum, r) => sum + (Number.isFinite(r.rank) ? 1 / r.rank : 0), 0) / n;
  return { queries: list.length, "recall@1": at(1), "recall@5": at(5), "recall@10": at(10), MRR: mrr };
}
/** @param {ReturnType<typeof summary>} s */
const fmt = (s) =>
  `${String(s.queries).padStart(4)} queries  recall@1 ${s["recall@1"].toFixed(3)}  recall@5 ${s["recall@5"].toFixed(3)}` +
  `  recall@10 ${s["recall@10"].toFixed(3)}  MRR ${s.MRR.toFixed(3)}`;

console.log(`prose-duplicates plain BM25 (k1 ${K1}, b ${B}) over ${ids.length} documents from ${dir}`);
console.log(`  all                 ${fmt(summary(ranks))}`);
console.log(`  not near-identical  ${fmt(summary(ranks.filter((r) => !r.pair.near_identical)))}`);
