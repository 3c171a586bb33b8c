// Accuracy and speed of the code import graph, through the API on `wrangler dev`.
//
// 1. Accuracy: for each corpus of real code on this machine (bench/graph-reference.mjs: TS/JS packages under
//    node_modules that ship their sources, CPython's standard library, LLVM's lit), upload exactly the files the
//    reference saw with the command-line client's own upload code, read the server's graph back, and score its
//    internal edges against dependency-cruiser (JS/TS) or Python's `ast` (bench/python-imports.py): precision and
//    recall, with every differing edge listed by cause.
// 2. Speed: a 5,000+-file repository (several real packages side by side) indexed end to end from disk, then
//    p50/p95 of the three graph tools over REST and MCP on random files of it.
//
// Usage: npm run bench:graph -- [--corpus zod-src,...] [--big-files 5000] [--queries 200] [--skip-big] [--show 15]
// Run it from a checkout whose files you are not editing: `wrangler dev` restarts when sources change.
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { ApiClient } from "../src/cli/api.mjs";
import { indexRepository } from "../src/cli/index-command.mjs";
import {
  CORPORA,
  JS_EXTENSIONS,
  compareEdges,
  listSourceFiles,
  referenceEdges,
  rootTsConfig,
} from "./graph-reference.mjs";
import { quantile, startServer } from "./server.mjs";

const { values } = parseArgs({
  options: {
    corpus: { type: "string" },
    "big-files": { type: "string", default: "5000" },
    queries: { type: "string", default: "200" },
    "skip-big": { type: "boolean", default: false },
    "skip-accuracy": { type: "boolean", default: false },
    show: { type: "string", default: "15" },
    port: { type: "string", default: "8791" },
  },
});
const SHOW = Number(values.show);
const REPO = fileURLToPath(new URL("..", import.meta.url));

const server = await startServer({ port: values.port });
const api = new ApiClient({ url: server.base, token: server.token });

/** @param {string} project */
async function graphOf(project) {
  return api.request("GET", `/projects/${project}/code/graph`);
}

try {
  if (!values["skip-accuracy"]) await accuracy();
  if (!values["skip-accuracy"] && !values.corpus) await thisRepository();
  if (!values["skip-big"]) await bigRepository();
} finally {
  await server.stop();
}

async function accuracy() {
  const wanted = values.corpus ? new Set(values.corpus.split(",")) : null;
  const rows = [];
  for (const corpus of CORPORA.filter((c) => !wanted || wanted.has(c.name))) {
    const reference = await referenceEdges(corpus);
    const project = `accuracy-${corpus.name}`;
    // The corpus's package.json files go along (their `imports` map `#` specifiers), as the CLI would send them.
    const packageFiles = corpus.language === "js" ? listSourceFiles(corpus.root, ["package.json"], corpus.exclude) : [];
    const upload = await indexRepository({
      api,
      project,
      root: corpus.root,
      files: [...reference.files, ...packageFiles],
      scope: "",
    });
    // A bench tsconfig is not on disk in the corpus (the CLI would delete what it does not see), so it goes after.
    const config = rootTsConfig(corpus);
    if (config) await api.request("POST", `/projects/${project}/files`, { files: [config] });
    const graph = await graphOf(project);
    /** @type {Array<[string, string]>} */
    const ours = graph.edges.map((/** @type {{ from: string, to: string }} */ e) => [e.from, e.to]);
    const score = compareEdges(ours, reference.edges);
    rows.push({
      corpus: corpus.name,
      language: corpus.language,
      files: reference.files.length,
      reference_edges: reference.edges.length,
      our_edges: ours.length,
      precision: score.precision.toFixed(4),
      recall: score.recall.toFixed(4),
      missing: score.missing.length,
      extra: score.extra.length,
      upload_files_per_s: upload.files_per_second,
      our_parse_errors: upload.parse_errors.length,
    });
    for (const [label, list] of /** @type {const} */ ([
      ["missing (reference only)", score.missing],
      ["extra (ours only)", score.extra],
    ])) {
      if (!list.length) continue;
      console.log(`\n${corpus.name}: ${list.length} ${label}`);
      for (const [from, to] of list.slice(0, SHOW)) console.log(`  ${from} -> ${to}`);
      if (list.length > SHOW) console.log(`  … ${list.length - SHOW} more`);
    }
    if (upload.parse_errors.length) {
      console.log(`\n${corpus.name}: files we could not parse (${upload.parse_errors.length}):`);
      for (const error of upload.parse_errors.slice(0, SHOW)) console.log(`  ${error.path}: ${error.reason}`);
    }
  }
  console.log("\nEdge accuracy against the reference tools (internal edges):");
  console.table(rows);
}

/**
 * The "done when", literally: `coding-memory index .` (the real command, in a subprocess) on a real
 * git repository — this one — then its graph against dependency-cruiser on the same files.
 */
async function thisRepository() {
  const project = `self-${Date.now()}`;
  const run = spawnSync(process.execPath, ["src/cli/coding-memory.mjs", "index", ".", "--json"], {
    cwd: REPO,
    env: {
      ...process.env,
      CODING_MEMORY_URL: server.base,
      CODING_MEMORY_TOKEN: server.token,
      CODING_MEMORY_PROJECT: project,
    },
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`coding-memory index failed: ${run.stderr}`);
  const summary = JSON.parse(run.stdout);
  const graph = await graphOf(project);
  const reference = await referenceEdges({
    name: "this-repository",
    root: REPO,
    language: "js",
    tsConfig: join(REPO, "tsconfig.json"),
    note: "",
  });
  // Compare on the files both sides saw (the CLI follows git; dependency-cruiser walks the directory).
  const shared = new Set(reference.files.filter((file) => graph.files.includes(file)));
  const within = (/** @type {Array<[string, string]>} */ edges) =>
    edges.filter(([from, to]) => shared.has(from) && shared.has(to));
  const ours = within(graph.edges.map((/** @type {{ from: string, to: string }} */ e) => [e.from, e.to]));
  const score = compareEdges(ours, within(reference.edges));
  console.log(
    `\nThis repository via \`coding-memory index .\`: ${summary.uploaded} files uploaded in ${summary.seconds.toFixed(1)} s; ` +
      `${shared.size} JS/TS files compared: ${ours.length} edges, precision ${score.precision.toFixed(4)}, ` +
      `recall ${score.recall.toFixed(4)}`,
  );
  for (const [from, to] of score.missing.slice(0, SHOW)) console.log(`  missing ${from} -> ${to}`);
  for (const [from, to] of score.extra.slice(0, SHOW)) console.log(`  extra ${from} -> ${to}`);
}

async function bigRepository() {
  const target = Number(values["big-files"]);
  const packages = ["openai", "drizzle-orm", "zod", "hono", "@babel", "@typescript-eslint"];
  const root = join(REPO, "node_modules");
  /** @type {string[]} */
  const files = [];
  const used = [];
  for (const name of packages) {
    if (files.length >= target) break;
    const listed = listSourceFiles(join(root, name), JS_EXTENSIONS).map((path) => `${name}/${path}`);
    files.push(...listed);
    used.push(`${name} (${listed.length})`);
  }
  const project = `big-${Date.now()}`;
  console.log(`\nRepository of ${files.length} JS/TS files: node_modules/{${used.join(", ")}}`);
  const first = await indexRepository({ api, project, root, files, scope: "" });
  console.log(
    `First index, end to end (read, hash, upload in batches of 200, parse, store, build the graph): ` +
      `${first.seconds.toFixed(1)} s = ${Math.round(files.length / first.seconds)} files/s; ` +
      `${first.parse_errors.length} parse errors; graph ${JSON.stringify(first.graph)}`,
  );
  for (const error of first.parse_errors) console.log(`  could not parse ${error.path}: ${error.reason}`);
  const again = await indexRepository({ api, project, root, files, scope: "" });
  console.log(`Re-index with nothing changed: ${again.seconds.toFixed(2)} s (uploaded ${again.uploaded})`);

  const graph = await graphOf(project);
  const imported = new Set(graph.edges.map((/** @type {{ to: string }} */ edge) => edge.to));
  // Files something imports: the ones whose impact and dependencies are worth asking about.
  const internal = graph.files.filter((/** @type {string} */ file) => imported.has(file));
  const queries = Number(values.queries);
  const pick = () => internal[Math.floor(Math.random() * internal.length)];
  const restTimes = {
    dependencies: /** @type {number[]} */ ([]),
    impact: /** @type {number[]} */ ([]),
    order: /** @type {number[]} */ ([]),
  };
  for (let i = 0; i < queries; i += 1) {
    let start = performance.now();
    await api.request("GET", `/projects/${project}/code/dependencies?file_path=${encodeURIComponent(pick())}`);
    restTimes.dependencies.push(performance.now() - start);
    start = performance.now();
    await api.request("GET", `/projects/${project}/code/impact?file_path=${encodeURIComponent(pick())}`);
    restTimes.impact.push(performance.now() - start);
    start = performance.now();
    await api.request("POST", `/projects/${project}/code/refactor-order`, { files: Array.from({ length: 10 }, pick) });
    restTimes.order.push(performance.now() - start);
  }
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${server.base}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${server.token}` } },
    }),
  );
  /** @type {number[]} */
  const mcpTimes = [];
  for (let i = 0; i < queries; i += 1) {
    const start = performance.now();
    const result = await client.callTool({
      name: "coding_analyze_refactor_impact",
      arguments: { project_id: project, file_path: pick() },
    });
    mcpTimes.push(performance.now() - start);
    if (result.isError) throw new Error(JSON.stringify(result.content));
  }
  await client.close();
  const line = (/** @type {string} */ name, /** @type {number[]} */ times) =>
    `  ${name.padEnd(38)} p50 ${quantile(times, 0.5).toFixed(1)} ms  p95 ${quantile(times, 0.95).toFixed(1)} ms  max ${Math.max(...times).toFixed(1)} ms`;
  console.log(`Graph queries on ${graph.files.length} files / ${graph.edges.length} edges, ${queries} each:`);
  console.log(line("REST coding_analyze_file_dependencies", restTimes.dependencies));
  console.log(line("REST coding_analyze_refactor_impact", restTimes.impact));
  console.log(line("REST coding_suggest_refactor_order (10)", restTimes.order));
  console.log(line("MCP coding_analyze_refactor_impact", mcpTimes));
}
