// Bench: seed 10,000 errors into one project through the REST API of `wrangler dev`, then measure
// coding_record_error throughput (sequential) and coding_search_errors latency (REST and MCP over HTTP).
// Targets on a 2-core machine: search p95 ≤ 50 ms at 10k errors, record ≥ 100/s sequential.
// Usage: npm run bench [-- --errors 10000 --queries 300]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { quantile, startServer } from "./server.mjs";

const { values } = parseArgs({
  options: { errors: { type: "string", default: "10000" }, queries: { type: "string", default: "300" } },
});
const TOTAL = Number(values.errors);
const QUERIES = Number(values.queries);
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
const types = ["TypeError", "ValueError", "KeyError", "AttributeError", "ImportError", "RuntimeError", "IndexError"];
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
  const subject = subjects[i % subjects.length];
  const verb = verbs[Math.floor(i / 10) % verbs.length];
  const problem = problems[Math.floor(i / 100) % problems.length];
  const type = types[Math.floor(i / 1000) % types.length];
  const module = `${subject}_${verb}_${i % 97}`;
  return {
    error_type: type,
    message: `${problem} while trying to ${verb} ${subject} #${i} in ${module}`,
    stack_trace:
      `Traceback (most recent call last):\n  File "/srv/app/${subject}/${module}.py", line ${10 + (i % 400)}, in ${verb}_${subject}\n` +
      `    result = helpers.${verb}(payload)\n  File "/srv/app/core/helpers_${i % 53}.py", line ${i % 300}, in ${verb}\n` +
      `    return backend_${i % 31}.${verb}_${subject}(value)\n${type}: ${problem}`,
    file_path: `src/${subject}/${module}.py`,
    line_number: 10 + (i % 400),
    tags: [subject, verb],
    ...(i % 3 === 0
      ? { solution: `Check the ${subject} before calling ${verb}; handle the empty case explicitly.` }
      : {}),
  };
}

/** In-Worker time from the Server-Timing header the app sets (ms). @param {Response} res */
function serverTime(res) {
  return Number(/app;dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "")?.[1] ?? NaN);
}

const server = await startServer();
const project = `bench-${Date.now()}`;
const headers = { Authorization: `Bearer ${server.token}`, "Content-Type": "application/json" };
try {
  const recordMs = [];
  /** @type {number[]} */
  const recordServerMs = [];
  const t0 = performance.now();
  for (let i = 0; i < TOTAL; i++) {
    const start = performance.now();
    const res = await fetch(`${server.base}/api/v1/projects/${project}/errors`, {
      method: "POST",
      headers,
      body: JSON.stringify(errorPayload(i)),
    });
    if (res.status !== 201) throw new Error(`record ${i} failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    recordMs.push(performance.now() - start);
    recordServerMs.push(serverTime(res));
    if ((i + 1) % 2000 === 0) process.stderr.write(`seeded ${i + 1}/${TOTAL}\n`);
  }
  const seedSeconds = (performance.now() - t0) / 1000;
  const lastThousand = recordMs.slice(-1000);

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
  const restMs = [];
  /** @type {number[]} */
  const searchServerMs = [];
  const healthMs = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    await (await fetch(`${server.base}/health`)).arrayBuffer();
    healthMs.push(performance.now() - start);
  }
  for (const query of queryTexts) {
    const start = performance.now();
    const res = await fetch(`${server.base}/api/v1/projects/${project}/errors/search`, {
      method: "POST",
      headers,
      body: JSON.stringify({ query, k: 5 }),
    });
    if (res.status !== 200) throw new Error(`search failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    restMs.push(performance.now() - start);
    searchServerMs.push(serverTime(res));
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
  console.log(
    `Coding Memory bench — ${TOTAL} errors in one project (${realTexts.length} real texts + synthetic), wrangler dev, ${new Date().toISOString()}`,
  );
  console.log(
    `record (REST, sequential): ${(TOTAL / seedSeconds).toFixed(0)} records/s overall; p50 ${fmt(quantile(recordMs, 0.5))} ms, p95 ${fmt(quantile(recordMs, 0.95))} ms; last 1000: ${(1000 / (lastThousand.reduce((a, b) => a + b, 0) / 1000)).toFixed(0)} records/s`,
  );
  console.log(
    `search (REST), ${restMs.length} queries: p50 ${fmt(quantile(restMs, 0.5))} ms, p95 ${fmt(quantile(restMs, 0.95))} ms, max ${fmt(Math.max(...restMs))} ms`,
  );
  console.log(
    `search (MCP tools/call), ${mcpMs.length} queries: p50 ${fmt(quantile(mcpMs, 0.5))} ms, p95 ${fmt(quantile(mcpMs, 0.95))} ms, max ${fmt(Math.max(...mcpMs))} ms`,
  );
  console.log(
    `server-side (Server-Timing): record p50 ${fmt(quantile(recordServerMs, 0.5))} ms, p95 ${fmt(quantile(recordServerMs, 0.95))} ms; ` +
      `search p50 ${fmt(quantile(searchServerMs, 0.5))} ms, p95 ${fmt(quantile(searchServerMs, 0.95))} ms`,
  );
  console.log(
    `wrangler dev transport floor (GET /health): p50 ${fmt(quantile(healthMs, 0.5))} ms, p95 ${fmt(quantile(healthMs, 0.95))} ms`,
  );
  const ok = quantile(mcpMs, 0.95) <= 50 && quantile(restMs, 0.95) <= 50 && TOTAL / seedSeconds >= 100;
  console.log(`targets (search p95 ≤ 50 ms, record ≥ 100/s): ${ok ? "met" : "NOT met"}`);
} finally {
  await server.stop();
}
