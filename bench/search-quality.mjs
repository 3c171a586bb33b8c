// Search quality on the shared development sets (../shared/eval), following each set's README protocol, through
// the REST API of `wrangler dev` (the same code path as the MCP tool). For each set and project size it prints
// recall/hit@1, @5, @10 and MRR for the three search modes: lexical only, vector only (the offline embedder the
// server is configured with), and hybrid. "+N" sizes add N synthetic errors of many runtimes to the project first
// (bench/synthetic-errors.mjs; none duplicates an eval text), so quality is also measured in a crowded project.
// Usage: npm run bench:quality [-- --extra 0,10000 --sets defects4j,error-retrieval --concurrency 8]
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { startServer, waitForVectors } from "./server.mjs";
import { PlainBm25 } from "./plain-bm25.mjs";
import { syntheticError } from "./synthetic-errors.mjs";

const { values } = parseArgs({
  options: {
    extra: { type: "string", default: "0,10000" },
    sets: { type: "string", default: "defects4j,error-retrieval,prose" },
    concurrency: { type: "string", default: "8" },
    port: { type: "string", default: "8789" },
    // The prose duplicate-report set is built outside the repository from a fetched data set
    // (bench/corpora/prose-duplicates/README.md); it is measured when this directory holds it.
    "prose-dir": {
      type: "string",
      default:
        process.env.PROSE_DUPLICATES_DIR ??
        (existsSync(new URL("../../shared/eval/prose-duplicates/dev.jsonl", import.meta.url))
          ? fileURLToPath(new URL("../../shared/eval/prose-duplicates/", import.meta.url))
          : "/tmp/prose-duplicates/"),
    },
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
  prose = false,
) {
  /** @type {Map<string, Set<string>>} */
  const holds = new Map();
  const started = Date.now();
  await pool(items.length, async (i) => {
    const item = items[i];
    if (!item) return;
    const fields = prose
      ? { error_type: "Error", message: item.text.slice(0, 8000), stack_trace: null }
      : errorFields(item.text);
    const id = await record(project, fields);
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

/**
 * The development sets, each as texts to record (`key` names the text, `group` the bug or report it belongs
 * to) and queries with the keys that count as a hit.
 * @typedef {{ key: string, text: string, group: string }} Item
 * @typedef {{ text: string, relevant: Set<string>, near?: boolean }} Query
 * @typedef {{ name: string, baseline: string, items: Item[], queries: Query[], nearIdentical: boolean, prose?: boolean }} EvalSet
 * @returns {EvalSet[]}
 */
function evalSets() {
  /** @type {EvalSet[]} */
  const sets = [];
  if (SETS.includes("error-retrieval")) {
    const pairs = readJsonl("error-retrieval/dev.jsonl");
    const distractors = readJsonl("error-retrieval/distractors.jsonl");
    const targets = new Map(pairs.map((p) => [`${p.repo}#${p.target_issue}`, p.target]));
    sets.push({
      name: "error-retrieval",
      baseline: "README: BM25 hit@1 0.91 hit@5 1.00 MRR 0.95",
      items: [
        ...[...targets].map(([key, text]) => ({ key, text, group: key })),
        ...distractors.map((d) => ({ key: `distractor:${d.id}`, text: d.text, group: `distractor:${d.id}` })),
      ],
      queries: pairs.map((p) => ({
        text: p.query,
        relevant: new Set([`${p.repo}#${p.target_issue}`]),
        near: p.near_identical,
      })),
      nearIdentical: true,
    });
  }
  if (SETS.includes("defects4j")) {
    const corpus = readJsonl("defects4j/corpus.jsonl");
    sets.push({
      name: "defects4j",
      baseline: "README: BM25 hit@1 0.707 @5 0.853 @10 0.897 MRR 0.775",
      items: corpus.map((c) => ({ key: c.id, text: c.text, group: `${c.project}-${c.bug}` })),
      queries: readJsonl("defects4j/queries.jsonl").map((q) => ({ text: q.text, relevant: new Set(q.relevant) })),
      nearIdentical: false,
    });
  }
  const proseDir = pathToFileURL(values["prose-dir"].replace(/\/?$/, "/"));
  if (SETS.includes("prose") && !existsSync(new URL("dev.jsonl", proseDir))) {
    console.log(`prose: skipped, no dev.jsonl in ${fileURLToPath(proseDir)} (see bench/corpora/prose-duplicates)`);
  } else if (SETS.includes("prose")) {
    const dir = proseDir;
    /** @param {string} file */
    const local = (file) =>
      readFileSync(new URL(file, dir), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    const pairs = local("dev.jsonl");
    const targets = new Map(pairs.map((p) => [String(p.target_id), p.target]));
    sets.push({
      name: "prose",
      baseline: "OpenOffice Bugzilla duplicates, bench/corpora/prose-duplicates/README.md",
      items: [
        ...[...targets].map(([key, text]) => ({ key, text, group: key })),
        ...local("distractors.jsonl").map((d) => ({
          key: `distractor:${d.id}`,
          text: d.text,
          group: `distractor:${d.id}`,
        })),
      ],
      queries: pairs.map((p) => ({
        text: p.query,
        relevant: new Set([String(p.target_id)]),
        near: Boolean(p.near_identical),
      })),
      nearIdentical: true,
      // A prose report has no exception line or stack: its whole text is the message, as a user would file it.
      prose: true,
    });
  }
  return sets;
}

/** Records that hold texts of different bugs (a fingerprint merged what is not the same error). @param {Map<string, Set<string>>} holds @param {Map<string, string>} groupOf */
function mergePurity(holds, groupOf) {
  let mixed = 0;
  let mixedTexts = 0;
  let worst = { texts: 0, groups: 0 };
  for (const keys of holds.values()) {
    const groups = new Set([...keys].map((key) => groupOf.get(key)));
    if (groups.size < 2) continue;
    mixed += 1;
    mixedTexts += keys.size;
    if (groups.size > worst.groups) worst = { texts: keys.size, groups: groups.size };
  }
  return mixed
    ? `${mixed} records mix different bugs (${mixedTexts} texts; worst: ${worst.texts} texts of ${worst.groups} bugs)`
    : "no record mixes different bugs";
}

try {
  for (const extra of EXTRA_SIZES) {
    for (const set of evalSets()) {
      console.log(`${set.name} +${extra} (${set.queries.length} queries; ${set.baseline})`);
      const project = `eval-${set.name}-${extra}-${Date.now()}`;
      const holds = await load(project, set.items, extra, Boolean(set.prose));
      console.log(`  ${mergePurity(holds, new Map(set.items.map((item) => [item.key, item.group])))}`);
      // The baseline ranks the same texts the server holds (without the synthetic crowd, which only makes the
      // server's task harder): each text is its own document, a hit when it is relevant.
      const bm25 = new PlainBm25(set.items);
      /** @type {Array<{ rank: number | null, near: boolean }>} */
      const baseline = [];
      for (const query of set.queries) {
        const keys = bm25.search(query.text.slice(0, 8000), 10);
        const index = keys.findIndex((key) => query.relevant.has(key));
        baseline.push({ rank: index >= 0 ? index + 1 : null, near: Boolean(query.near) });
      }
      /** @type {Record<string, Array<{ rank: number | null, near: boolean }>>} */
      const results = { "plain-bm25": baseline };
      for (const mode of MODES) {
        const ranks = [];
        for (const query of set.queries) {
          const ids = await search(project, query.text, mode);
          // Counted honestly: a hit only when the returned error's own occurrences include a relevant text.
          const index = ids.findIndex((id) => [...(holds.get(id) ?? [])].some((key) => query.relevant.has(key)));
          ranks.push({ rank: index >= 0 ? index + 1 : null, near: Boolean(query.near) });
          if (process.env.BENCH_MISSES && index !== 0) {
            console.log(`    miss ${mode} rank ${index + 1}: ${query.text.slice(0, 100).replace(/\n/g, " ")}`);
          }
        }
        results[mode] = ranks;
      }
      const at1 = (/** @type {Array<{ rank: number | null }>} */ r) =>
        r.filter((x) => x.rank === 1).length / (r.length || 1);
      const base = at1(results["plain-bm25"] ?? []);
      for (const [mode, ranks] of Object.entries(results)) {
        const delta =
          mode === "plain-bm25"
            ? ""
            : `  (${((at1(ranks) - base) * 100).toFixed(1).replace(/^(?!-)/, "+")} pts @1 vs plain BM25)`;
        console.log(`  ${mode.padEnd(10)} ${metrics(ranks.map((r) => r.rank))}${delta}`);
        if (set.nearIdentical) {
          console.log(
            `  ${"".padEnd(10)} w/o near-identical ${metrics(ranks.filter((r) => !r.near).map((r) => r.rank))}`,
          );
        }
      }
    }
  }
} finally {
  await server.stop();
}
