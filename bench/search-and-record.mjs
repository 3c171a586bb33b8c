// Bench: seed N errors into one project through the REST API of `wrangler dev` (concurrently), wait until the queue
// consumer has built every vector, then measure coding_record_error (sequential) and coding_search_errors latency
// in each mode over REST, and hybrid over MCP. Local vector index: the ProjectVectors Durable Object.
// Targets on a 2-core machine: hybrid search p95 ≤ 100 ms at 100,000 errors; record ≥ 100/s sequential.
// Usage: npm run bench [-- --errors 10000 --queries 300 --concurrency 8]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { quantile, startServer } from "./server.mjs";
import { syntheticError } from "./synthetic-errors.mjs";
import { setTimeout as sleep } from "node:timers/promises";

const { values } = parseArgs({
  options: {
    errors: { type: "string", default: "10000" },
    queries: { type: "string", default: "300" },
    concurrency: { type: "string", default: "8" },
  },
});
const TOTAL = Number(values.errors);
const QUERIES = Number(values.queries);
const CONCURRENCY = Number(values.concurrency);
/** Sequential records timed after seeding, for throughput and latency. */
const TIMED_RECORDS = 500;
const EVAL = new URL("../../shared/eval/", import.meta.url);

/** @param {string} file */
function readJsonl(file) {
  try {
    return readFileSync(new URL(file, EVAL), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  } catch {
    return [];
  }
}

// Real error texts first (the shared eval corpora), then synthetic ones with varied types, modules and values.
const realTexts = [
  ...readJsonl("defects4j/corpus.jsonl").map((r) => r.text),
  ...readJsonl("error-retrieval/distractors.jsonl").map((r) => r.text),
  ...readJsonl("error-retrieval/dev.jsonl").map((r) => r.target),
];
const subjects = ["user", "order", "invoice", "session", "token", "cart", "payment", "report", "profile", "webhook"];
const verbs = ["parse", "validate", "serialize", "load", "save", "render", "compare", "fetch", "decode", "schedule"];
const problems = [
  "unsupported operand type(s) for +: 'int' and 'NoneType'",
  "object of type 'NoneType' has no len()",
  "invalid literal for int() with base 10",
  "list index out of range",
  "'dict' object has no attribute",
  "can't compare offset-naive and offset-aware datetimes",
  "maximum recursion depth exceeded",
  "Expecting value: line 1 column 1 (char 0)",
  "No module named",
  "cannot unpack non-iterable NoneType object",
];

/** @param {number} i */
function errorPayload(i) {
  const real = realTexts[i];
  if (i < realTexts.length && real) {
    const first = real.split("\n")[0] ?? real;
    const type = /([A-Za-z_.]*(?:Error|Exception|panic))/.exec(first)?.[1] ?? "Error";
    return { error_type: type.slice(0, 200), message: first.slice(0, 4000), stack_trace: real };
  }
  return syntheticError(i);
}

/** In-Worker time from the Server-Timing header the app sets (ms). @param {Response} res */
function serverTime(res) {
  return Number(/app;dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "")?.[1] ?? NaN);
}

const server = await startServer();
const project = `bench-${Date.now()}`;
const headers = { Authorization: `Bearer ${server.token}`, "Content-Type": "application/json" };
try {
  const url = (/** @type {string} */ path) => `${server.base}/api/v1/projects/${project}${path}`;
  /** @param {number} i */
  const record = async (i) => {
    const res = await fetch(url("/errors"), { method: "POST", headers, body: JSON.stringify(errorPayload(i)) });
    if (res.status !== 201) throw new Error(`record ${i} failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    return res;
  };
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < TOTAL) {
        const i = next++;
        await record(i);
        if ((i + 1) % 10_000 === 0) process.stderr.write(`seeded ${i + 1}/${TOTAL}\n`);
      }
    }),
  );
  const seedSeconds = (performance.now() - t0) / 1000;
  /** @type {{ total: number, indexed: number, pending: number, model: string }} */
  let status;
  for (;;) {
    status = await (await fetch(url("/errors/index-status"), { headers })).json();
    if (status.pending === 0) break;
    await sleep(1000);
  }
  const indexSeconds = (performance.now() - t0) / 1000;

  const recordMs = [];
  /** @type {number[]} */
  const recordServerMs = [];
  for (let i = 0; i < TIMED_RECORDS; i++) {
    const start = performance.now();
    const res = await record(TOTAL + i);
    recordMs.push(performance.now() - start);
    recordServerMs.push(serverTime(res));
  }
  const recordSeconds = recordMs.reduce((a, b) => a + b, 0) / 1000;

  const queryTexts = [
    ...readJsonl("defects4j/queries.jsonl").map((r) => r.text),
    ...readJsonl("error-retrieval/dev.jsonl").map((r) => r.query),
    ...Array.from(
      { length: 100 },
      (_, i) => `${problems[i % problems.length]} when I ${verbs[i % verbs.length]} a ${subjects[i % subjects.length]}`,
    ),
  ].slice(0, QUERIES);

  for (const q of queryTexts.slice(0, 10)) {
    await fetch(`${server.base}/api/v1/projects/${project}/errors/search`, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: q }),
    });
  }
  /** @type {number[]} */
  const searchServerMs = [];
  const healthMs = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    await (await fetch(`${server.base}/health`)).arrayBuffer();
    healthMs.push(performance.now() - start);
  }
  /** @type {Record<string, number[]>} */
  const restMs = {};
  for (const mode of ["hybrid", "lexical", "vector"]) {
    /** @type {number[]} */
    const times = (restMs[mode] = []);
    for (const query of queryTexts) {
      const start = performance.now();
      const res = await fetch(url("/errors/search"), {
        method: "POST",
        headers,
        body: JSON.stringify({ query, k: 5, mode }),
      });
      if (res.status !== 200) throw new Error(`search failed: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      times.push(performance.now() - start);
      if (mode === "hybrid") searchServerMs.push(serverTime(res));
    }
  }

  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${server.base}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${server.token}` } },
    }),
  );
  const mcpMs = [];
  for (const query of queryTexts) {
    const start = performance.now();
    const result = await client.callTool({
      name: "coding_search_errors",
      arguments: { project_id: project, query, k: 5 },
    });
    if (result.isError) throw new Error(`MCP search failed: ${JSON.stringify(result.content)}`);
    mcpMs.push(performance.now() - start);
  }
  await client.close();

  const fmt = (/** @type {number} */ n) => n.toFixed(1);
  const dist = (/** @type {number[]} */ ms) =>
    `p50 ${fmt(quantile(ms, 0.5))} ms, p95 ${fmt(quantile(ms, 0.95))} ms, max ${fmt(Math.max(...ms))} ms`;
  console.log(
    `Coding Memory bench — ${TOTAL} records → ${status.total} errors after fingerprint dedup in one project ` +
      `(${realTexts.length} real texts + synthetic), wrangler dev, ${new Date().toISOString()}`,
  );
  console.log(
    `seed (REST, ${CONCURRENCY} in flight): ${(TOTAL / seedSeconds).toFixed(0)} records/s; all ${status.indexed} ` +
      `vectors (${status.model}) built ${indexSeconds.toFixed(0)} s after the first record`,
  );
  console.log(
    `record (REST, sequential, ${TIMED_RECORDS}): ${(TIMED_RECORDS / recordSeconds).toFixed(0)} records/s; ${dist(recordMs)}`,
  );
  for (const [mode, ms] of Object.entries(restMs)) {
    console.log(`search ${mode.padEnd(7)} (REST), ${ms.length} queries: ${dist(ms)}`);
  }
  console.log(`search hybrid  (MCP tools/call), ${mcpMs.length} queries: ${dist(mcpMs)}`);
  console.log(
    `server-side (Server-Timing): record p50 ${fmt(quantile(recordServerMs, 0.5))} ms, p95 ${fmt(quantile(recordServerMs, 0.95))} ms; ` +
      `hybrid search p50 ${fmt(quantile(searchServerMs, 0.5))} ms, p95 ${fmt(quantile(searchServerMs, 0.95))} ms`,
  );
  console.log(`wrangler dev transport floor (GET /health): ${dist(healthMs)}`);
  const hybrid = restMs.hybrid ?? [];
  const ok = quantile(mcpMs, 0.95) <= 100 && quantile(hybrid, 0.95) <= 100 && TIMED_RECORDS / recordSeconds >= 100;
  console.log(`targets (hybrid search p95 ≤ 100 ms, record ≥ 100/s): ${ok ? "met" : "NOT met"}`);
} finally {
  await server.stop();
}
