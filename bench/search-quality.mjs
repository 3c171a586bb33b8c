// Search quality on the shared development sets (../shared/eval), following each set's README protocol, through
// the REST API of `wrangler dev` (the same code path as the MCP tool). For each set and project size it prints
// recall/hit@1, @5, @10 and MRR for the three search modes: lexical only, vector only (the offline embedder the
// server is configured with), and hybrid. "+N" sizes add N synthetic errors of many runtimes to the project first
// (bench/synthetic-errors.mjs; none duplicates an eval text), so quality is also measured in a crowded project.
// Usage: npm run bench:quality [-- --extra 0,10000 --sets defects4j,error-retrieval --concurrency 8]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startServer, waitForVectors } from "./server.mjs";
import { syntheticError } from "./synthetic-errors.mjs";

const { values } = parseArgs({
  options: {
    extra: { type: "string", default: "0,10000" },
    sets: { type: "string", default: "defects4j,error-retrieval" },
    concurrency: { type: "string", default: "8" },
    port: { type: "string", default: "8789" },
  },
});
const EXTRA_SIZES = values.extra.split(",").map(Number);
const SETS = values.sets.split(",");
const CONCURRENCY = Number(values.concurrency);
const MODES = ["lexical", "vector", "hybrid"];

const EVAL = new URL("../../shared/eval/", import.meta.url);
/** @param {string} file */
const readJsonl = (file) =>
  readFileSync(new URL(file, EVAL), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

/** The first line's exception class as a developer would fill in error_type; the whole text as the trace. */
function errorFields(/** @type {string} */ text) {
  const first = (text.split("\n").find((l) => l.trim()) ?? text).trim();
  const type =
    /\b([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:Error|Exception|Failure|Panic))\b/.exec(first)?.[1] ??
    (/panicked at/.test(text) ? "panic" : /error (TS\d+)/.exec(text)?.[1]) ??
    "Error";
  return { error_type: type.slice(0, 250), message: first.slice(0, 8000) || "(empty)", stack_trace: text };
}

const server = await startServer({ port: values.port });
const headers = { Authorization: `Bearer ${server.token}`, "Content-Type": "application/json" };
const api = (/** @type {string} */ project, /** @type {string} */ path) =>
  `${server.base}/api/v1/projects/${encodeURIComponent(project)}${path}`;

/** @param {string} project @param {Record<string, unknown>} payload @returns {Promise<string>} */
async function record(project, payload) {
  const res = await fetch(api(project, "/errors"), { method: "POST", headers, body: JSON.stringify(payload) });
  const body = await res.json();
  if (res.status !== 201) throw new Error(`record failed: ${res.status} ${JSON.stringify(body)}`);
  return body.error_id;
}

/** Runs `task(i)` for i < count with `CONCURRENCY` requests in flight. @param {number} count @param {(i: number) => Promise<void>} task */
async function pool(count, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** @param {string} project @param {string} query @param {string} mode @returns {Promise<string[]>} */
async function search(project, query, mode) {
  const res = await fetch(api(project, "/errors/search"), {
    method: "POST",
    headers,
    body: JSON.stringify({ query: query.slice(0, 8000), k: 10, mode }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`search failed: ${res.status} ${JSON.stringify(body)}`);
  return body.results.map((/** @type {{ error_id: string }} */ r) => r.error_id);
}

/** @param {Array<number | null>} ranks */
function metrics(ranks) {
  const n = ranks.length || 1;
  const at = (/** @type {number} */ k) => ranks.filter((r) => r !== null && r <= k).length / n;
  const mrr = ranks.reduce((/** @type {number} */ sum, r) => sum + (r ? 1 / r : 0), 0) / n;
  return `@1 ${at(1).toFixed(3)}  @5 ${at(5).toFixed(3)}  @10 ${at(10).toFixed(3)}  MRR ${mrr.toFixed(3)}`;
}

/** Records `items` (each {key, text}) plus `extra` synthetic errors; returns error id → keys it holds. */
async function load(
  /** @type {string} */ project,
  /** @type {Array<{key: string, text: string}>} */ items,
  /** @type {number} */ extra,
) {
  /** @type {Map<string, Set<string>>} */
  const holds = new Map();
  const started = Date.now();
  await pool(items.length, async (i) => {
    const item = items[i];
    if (!item) return;
    const id = await record(project, errorFields(item.text));
    holds.set(id, (holds.get(id) ?? new Set()).add(item.key));
  });
  // The crowd of synthetic errors goes in through the bulk import, 100 per request.
  await pool(Math.ceil(extra / 100), async (batch) => {
    const errors = Array.from({ length: Math.min(100, extra - batch * 100) }, (_, k) =>
      syntheticError(batch * 100 + k),
    );
    const res = await fetch(api(project, "/errors/import"), {
      method: "POST",
      headers,
      body: JSON.stringify({ errors }),
    });
    if (res.status !== 201) throw new Error(`import failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  });
  const loadSeconds = (Date.now() - started) / 1000;
  const index = await waitForVectors(server.base, project, headers);
  console.log(
    `  loaded ${items.length} eval texts (${holds.size} errors after fingerprint dedup) + ${extra} synthetic in ` +
      `${loadSeconds.toFixed(0)} s; vectors (${index.model}) ready ${index.seconds.toFixed(0)} s later` +
      (index.requeued ? ` (${index.requeued} lost indexing jobs re-queued)` : ""),
  );
  return holds;
}

try {
  for (const extra of EXTRA_SIZES) {
    if (SETS.includes("error-retrieval")) {
      const pairs = readJsonl("error-retrieval/dev.jsonl");
      const distractors = readJsonl("error-retrieval/distractors.jsonl");
      const targets = new Map(pairs.map((p) => [`${p.repo}#${p.target_issue}`, p.target]));
      const items = [
        ...[...targets].map(([key, text]) => ({ key, text })),
        ...distractors.map((d) => ({ key: `distractor:${d.id}`, text: d.text })),
      ];
      console.log(
        `error-retrieval +${extra} (${pairs.length} queries; README baseline BM25 hit@1 0.91 hit@5 1.00 MRR 0.95)`,
      );
      const project = `eval-er-${extra}-${Date.now()}`;
      const holds = await load(project, items, extra);
      for (const mode of MODES) {
        /** @type {Array<{ rank: number | null; near: boolean }>} */
        const results = [];
        for (const p of pairs) {
          const ids = await search(project, p.query, mode);
          const key = `${p.repo}#${p.target_issue}`;
          const index = ids.findIndex((id) => holds.get(id)?.has(key));
          results.push({ rank: index >= 0 ? index + 1 : null, near: p.near_identical });
        }
        console.log(`  ${mode.padEnd(8)} all ${metrics(results.map((r) => r.rank))}`);
        console.log(
          `  ${"".padEnd(8)} w/o near-identical ${metrics(results.filter((r) => !r.near).map((r) => r.rank))}`,
        );
      }
    }
    if (SETS.includes("defects4j")) {
      const corpus = readJsonl("defects4j/corpus.jsonl");
      const queries = readJsonl("defects4j/queries.jsonl");
      console.log(
        `defects4j +${extra} (${queries.length} queries; README baseline BM25 hit@1 0.707 @5 0.853 @10 0.897 MRR 0.775)`,
      );
      const project = `eval-d4j-${extra}-${Date.now()}`;
      const holds = await load(
        project,
        corpus.map((c) => ({ key: c.id, text: c.text })),
        extra,
      );
      for (const mode of MODES) {
        /** @type {Array<number | null>} */
        const ranks = [];
        for (const q of queries) {
          const ids = await search(project, q.text, mode);
          const relevant = new Set(q.relevant);
          const index = ids.findIndex((id) => [...(holds.get(id) ?? [])].some((c) => relevant.has(c)));
          ranks.push(index >= 0 ? index + 1 : null);
        }
        console.log(`  ${mode.padEnd(8)} ${metrics(ranks)}`);
      }
    }
  }
} finally {
  await server.stop();
}
