// Plain BM25 baseline for the prose-duplicates dev set, so the set's difficulty is known before any engine runs on
// it. Deliberately naive: lower-cased word tokens split on non-alphanumerics, no stemming, no stop words, no
// normalisation, k1 1.2, b 0.75. The corpus is every distinct target plus every distractor, one project.
// Usage: node bench/prose-bm25.mjs [dir with dev.jsonl + distractors.jsonl]   (default ../shared/eval/prose-duplicates)
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const K1 = 1.2;
const B = 0.75;
const dir = process.argv[2] ?? fileURLToPath(new URL("../../shared/eval/prose-duplicates/", import.meta.url));
const readJsonl = (name) =>
  readFileSync(`${dir}/${name}`, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

const tokenize = (text) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

const pairs = readJsonl("dev.jsonl");
const docs = new Map();
for (const p of pairs) docs.set(`target:${p.target_id}`, p.target);
for (const d of readJsonl("distractors.jsonl")) docs.set(d.id, d.text);

const ids = [...docs.keys()];
const termFreqs = ids.map((id) => {
  const tf = new Map();
  for (const t of tokenize(docs.get(id))) tf.set(t, (tf.get(t) ?? 0) + 1);
  return tf;
});
const lengths = termFreqs.map((tf) => [...tf.values()].reduce((a, b) => a + b, 0));
const avgLength = lengths.reduce((a, b) => a + b, 0) / ids.length;
const postings = new Map();
termFreqs.forEach((tf, doc) => {
  for (const [term, n] of tf) {
    if (!postings.has(term)) postings.set(term, []);
    postings.get(term).push([doc, n]);
  }
});
const idf = (df) => Math.log(1 + (ids.length - df + 0.5) / (df + 0.5));

function scores(query) {
  const out = new Float64Array(ids.length);
  const seen = new Set();
  for (const term of tokenize(query)) {
    // Query terms count once each: repeated words in a pasted report should not dominate the ranking.
    if (seen.has(term) || !postings.has(term)) continue;
    seen.add(term);
    const list = postings.get(term);
    const w = idf(list.length);
    for (const [doc, n] of list) {
      out[doc] += (w * n * (K1 + 1)) / (n + K1 * (1 - B + (B * lengths[doc]) / avgLength));
    }
  }
  return out;
}

// Ties count against the target (it ranks after every document scoring the same), so the figures are not flattered.
const rankOf = (s, target) => {
  let rank = 1;
  for (let i = 0; i < s.length; i++) if (i !== target && s[i] >= s[target]) rank++;
  return s[target] > 0 ? rank : Infinity;
};
const index = new Map(ids.map((id, i) => [id, i]));
const ranks = pairs.map((p) => ({ pair: p, rank: rankOf(scores(p.query), index.get(`target:${p.target_id}`)) }));

function summary(list) {
  const n = list.length || 1;
  const at = (k) => list.filter((r) => r.rank <= k).length / n;
  const mrr = list.reduce((sum, r) => sum + (Number.isFinite(r.rank) ? 1 / r.rank : 0), 0) / n;
  return { queries: list.length, "recall@1": at(1), "recall@5": at(5), "recall@10": at(10), MRR: mrr };
}
const fmt = (s) =>
  `${String(s.queries).padStart(4)} queries  recall@1 ${s["recall@1"].toFixed(3)}  recall@5 ${s["recall@5"].toFixed(3)}` +
  `  recall@10 ${s["recall@10"].toFixed(3)}  MRR ${s.MRR.toFixed(3)}`;

console.log(`prose-duplicates plain BM25 (k1 ${K1}, b ${B}) over ${ids.length} documents from ${dir}`);
console.log(`  all                 ${fmt(summary(ranks))}`);
console.log(`  not near-identical  ${fmt(summary(ranks.filter((r) => !r.pair.near_identical)))}`);
