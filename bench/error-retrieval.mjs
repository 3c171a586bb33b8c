// Search quality on the shared eval sets (../shared/eval), following each set's README protocol, through the
// REST API of `wrangler dev`. Prints recall@1/@5/MRR (error-retrieval) and hit@1/@5/@10/MRR (defects4j).
// Usage: npm run bench:quality
import { readFileSync } from "node:fs";
import { startServer } from "./server.mjs";

const EVAL = new URL("../../shared/eval/", import.meta.url);
/** @param {string} file */
const readJsonl = (file) =>
  readFileSync(new URL(file, EVAL), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

/** First line's exception class, as a developer would fill in error_type. */
function errorFields(/** @type {string} */ text) {
  const first = (text.split("\n").find((l) => l.trim()) ?? text).trim();
  const type =
    /\b([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:Error|Exception|Failure|Panic))\b/.exec(first)?.[1] ??
    (/panicked at/.test(text) ? "panic" : /error (TS\d+)/.exec(text)?.[1]) ??
    "Error";
  return { error_type: type.slice(0, 250), message: first.slice(0, 8000) || "(empty)", stack_trace: text };
}

const server = await startServer({ port: "8789" });
const headers = { Authorization: `Bearer ${server.token}`, "Content-Type": "application/json" };

/** @param {string} project @param {string} text @returns {Promise<string>} */
async function record(project, text) {
  const res = await fetch(`${server.base}/api/v1/projects/${project}/errors`, {
    method: "POST",
    headers,
    body: JSON.stringify(errorFields(text)),
  });
  const body = await res.json();
  if (res.status !== 201) throw new Error(`record failed: ${res.status} ${JSON.stringify(body)}`);
  return body.error_id;
}

/** @param {string} project @param {string} query @returns {Promise<string[]>} */
async function search(project, query) {
  const res = await fetch(`${server.base}/api/v1/projects/${project}/errors/search`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query: query.slice(0, 8000), k: 50 }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`search failed: ${res.status} ${JSON.stringify(body)}`);
  return body.results.map((/** @type {{ error_id: string }} */ r) => r.error_id);
}

/** @param {Array<number | null>} ranks @param {number[]} cutoffs */
function summary(ranks, cutoffs) {
  const n = ranks.length || 1;
  const parts = cutoffs.map((k) => `@${k} ${(ranks.filter((r) => r !== null && r <= k).length / n).toFixed(3)}`);
  const mrr = ranks.reduce((/** @type {number} */ sum, r) => sum + (r ? 1 / r : 0), 0) / n;
  return `${parts.join("  ")}  MRR ${mrr.toFixed(3)}  (n=${ranks.length})`;
}

try {
  // error-retrieval: targets + distractors in one project, each query must find its own target.
  const pairs = readJsonl("error-retrieval/dev.jsonl");
  const distractors = readJsonl("error-retrieval/distractors.jsonl");
  const project = `eval-er-${Date.now()}`;
  /** @type {Map<string, Set<string>>} error id → target keys it holds */
  const holds = new Map();
  const add = (/** @type {string} */ id, /** @type {string} */ key) =>
    holds.set(id, (holds.get(id) ?? new Set()).add(key));
  const seenTargets = new Set();
  for (const p of pairs) {
    const key = `${p.repo}#${p.target_issue}`;
    if (seenTargets.has(key)) continue;
    seenTargets.add(key);
    add(await record(project, p.target), key);
  }
  for (const d of distractors) add(await record(project, d.text), `distractor:${d.id}`);
  /** @type {Array<{ rank: number | null; near: boolean; language: string }>} */
  const results = [];
  for (const p of pairs) {
    const ids = await search(project, p.query);
    const index = ids.findIndex((id) => holds.get(id)?.has(`${p.repo}#${p.target_issue}`));
    results.push({ rank: index >= 0 ? index + 1 : null, near: p.near_identical, language: p.language });
  }
  console.log(
    `error-retrieval (${pairs.length} queries, ${seenTargets.size} targets + ${distractors.length} distractors)`,
  );
  console.log(
    `  all                 recall${summary(
      results.map((r) => r.rank),
      [1, 5],
    )}`,
  );
  console.log(
    `  without near-ident. recall${summary(
      results.filter((r) => !r.near).map((r) => r.rank),
      [1, 5],
    )}`,
  );
  for (const language of [...new Set(results.map((r) => r.language))].sort()) {
    console.log(
      `  ${language.padEnd(19)} recall${summary(
        results.filter((r) => r.language === language).map((r) => r.rank),
        [1, 5],
      )}`,
    );
  }

  // defects4j: a hit is any failure of the same bug.
  const corpus = readJsonl("defects4j/corpus.jsonl");
  const queries = readJsonl("defects4j/queries.jsonl");
  const d4j = `eval-d4j-${Date.now()}`;
  /** @type {Map<string, Set<string>>} */
  const d4jHolds = new Map();
  for (const c of corpus) {
    const id = await record(d4j, c.text);
    d4jHolds.set(id, (d4jHolds.get(id) ?? new Set()).add(c.id));
  }
  /** @type {Array<number | null>} */
  const ranks = [];
  for (const q of queries) {
    const ids = await search(d4j, q.text);
    const relevant = new Set(q.relevant);
    const index = ids.findIndex((id) => [...(d4jHolds.get(id) ?? [])].some((c) => relevant.has(c)));
    ranks.push(index >= 0 ? index + 1 : null);
  }
  console.log(`defects4j (${queries.length} queries, ${corpus.length} failures recorded as ${d4jHolds.size} errors)`);
  console.log(`  hit${summary(ranks, [1, 5, 10])}   (plain BM25 baseline: @1 0.707 @5 0.853 @10 0.897 MRR 0.775)`);
} finally {
  await server.stop();
}
