// Bench: are secrets ever stored, indexed or sent to a model? (issue 15 items 7 and 8)
// Each realistic secret format of test/support/secret-samples.json (the formats gitleaks' and secretlint's
// recommended rules cover, plus those issue 15 found leaking) is placed in every free-text field of every record
// kind and recorded through the REST API of `wrangler dev` (one project per format). Then it is looked for in
//   stored   — each field as the REST reads return it, and every row of every table of the local D1 database
//              (FTS shadow tables included), read with `wrangler d1 execute --local`;
//   indexed  — the error search (lexical FTS + vectors) for the secret's most distinctive run of characters;
//   outbound — every request the project's model received: the model is a fake OpenAI-compatible server this
//              script runs on 127.0.0.1 (CODING_MEMORY_BASE_URL), used for AI advice on an unrecorded error text
//              and for a screenshot sent with its OCR text.
// False positives: the shared eval error texts (../shared/eval) are imported and read back; any that comes back
// changed is counted. Target: 0 secret values anywhere; few eval texts changed.
// Usage: npm run bench:redaction   (PORT and FAKE_PORT override the ports)
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { chatCompletionBody, startServer } from "./server.mjs";

const PORT = process.env.PORT ?? "8851";
// ../shared/eval next to the checkout (a worktree one level deeper looks one more level up).
const EVAL = [new URL("../../shared/eval/", import.meta.url), new URL("../../../shared/eval/", import.meta.url)].find(
  (url) => existsSync(url),
);
const FAKE_PORT = Number(process.env.FAKE_PORT ?? "8853");
/** @type {Array<{ id: string, source: string, secret: string, text: string }>} */
const all = JSON.parse(readFileSync(new URL("../test/support/secret-samples.json", import.meta.url), "utf8")).samples;
// FORMATS=3 runs the first three formats only (a quick check of the bench itself).
const samples = process.env.FORMATS ? all.slice(0, Number(process.env.FORMATS)) : all;
// A 1×1 PNG: the fake vision model does not look at it, the Worker only checks it is an image.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/** Every body the fake model received. @type {string[]} */
const outbound = [];
const fake = createServer((req, res) => {
  let raw = "";
  req.on("data", (chunk) => (raw += chunk));
  req.on("end", () => {
    outbound.push(raw);
    const body = JSON.parse(raw);
    const prompt = JSON.stringify(body.messages);
    const content = prompt.includes("screenshots of software errors")
      ? JSON.stringify({
          is_error: true,
          error_type: "ValueError",
          message: "bad value",
          stack_frames: [],
          confidence: "high",
        })
      : JSON.stringify({ root_cause: "x", fix_steps: ["y"], confidence: "low", based_on: [], alternatives: [] });
    res.setHeader("content-type", "application/json");
    res.end(chatCompletionBody(body.model, content, { prompt_tokens: 100, completion_tokens: 20 }));
  });
});
await new Promise((resolve) => fake.listen(FAKE_PORT, "127.0.0.1", () => resolve(undefined)));

const server = await startServer({ port: PORT, vars: { CODING_MEMORY_BASE_URL: `http://127.0.0.1:${FAKE_PORT}/v1` } });
const headers = { Authorization: `Bearer ${server.token}`, "Content-Type": "application/json" };
/** Calls that failed while recording, by format: a failure is reported, never counted as a clean result. */
const failures = new Map();
/** `call`, but a failure is noted under the format and answered with null. @param {string} id @param {string} method @param {string} path @param {unknown} [body] */
async function attempt(id, method, path, body) {
  try {
    return await call(method, path, body);
  } catch (error) {
    failures.set(id, [
      ...(failures.get(id) ?? []),
      String(error instanceof Error ? error.message : error).slice(0, 160),
    ]);
    return null;
  }
}
/** @param {string} method @param {string} path @param {unknown} [body] */
async function call(method, path, body) {
  const response = await fetch(`${server.base}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

const FIELDS = [
  "error.error_type",
  "error.message",
  "error.stack_trace",
  "error.file_path",
  "error.solution",
  "error.tags",
  "import.message",
  "decision.decision",
  "decision.rationale",
  "decision.alternatives",
  "decision.impact",
  "decision.tags",
  "decision.related_files",
  "change.file_path",
  "change.reason",
  "change.diff",
  "change.related_files",
  "session.description",
  "session.tags",
  "session.summary",
  "diagram.title",
  "diagram.component",
  "screenshot.ocr_text",
];
/** @type {Map<string, Record<string, boolean | null>>} format → field → leaked (null: the value cannot fit). */
const storedLeaks = new Map();
/**
 * A record's fields by their snake_case names, whether the API spells them so or in camelCase; a missing record
 * reads as empty. Called with one argument it returns such a reader.
 * @param {any} record @param {string} [name]
 * @returns {any}
 */
function get(record, name) {
  if (name === undefined) {
    const r = record ?? {};
    return new Proxy(r, { get: (_t, key) => (typeof key === "string" ? get(r, key) : undefined) });
  }
  if (record == null) return undefined;
  return record[name] ?? record[name.replace(/_([a-z])/g, (_m, c) => c.toUpperCase())];
}
const indexedLeaks = new Map();
const stamp = Date.now();
const projectOf = (/** @type {number} */ i) => `bench-redact-${stamp}-${i}`;
const started = performance.now();

try {
  for (const [i, sample] of samples.entries()) {
    const base = `/projects/${projectOf(i)}`;
    const text = (/** @type {string} */ field) => `${field}: ${sample.text}`;
    // Tags hold 64 characters: a longer value cannot be a tag (marked "-").
    const tag = sample.text.length <= 64 ? sample.text : null;
    const oneLine = sample.text.replace(/\s*\n\s*/g, " ");
    await attempt(sample.id, "POST", `${base}/settings`, {
      model: "openai-compatible/bench-model",
      vision_model: "openai-compatible/bench-vision",
      auto_approve: true,
    });
    await attempt(sample.id, "POST", `${base}/sessions`, {
      description: text("session.description"),
      tags: tag ? [tag] : [],
    });
    const error = await attempt(sample.id, "POST", `${base}/errors`, {
      error_type: `AuthError ${oneLine}`.slice(0, 256),
      message: text("error.message"),
      stack_trace: `Traceback (most recent call last):\n  File "app.py", line 3\n${text("error.stack_trace")}`,
      file_path: `/srv/app/${oneLine}`.slice(0, 1024),
      tags: tag ? [tag] : [],
    });
    if (error)
      await attempt(sample.id, "POST", `${base}/errors/${error.error_id}/resolve`, {
        solution: text("error.solution"),
      });
    await attempt(sample.id, "POST", `${base}/errors/import`, {
      errors: [{ error_type: "ImportedError", message: text("import.message") }],
    });
    await attempt(sample.id, "POST", `${base}/decisions`, {
      decision: text("decision.decision"),
      rationale: text("decision.rationale"),
      alternatives: [text("decision.alternatives")],
      impact: text("decision.impact"),
      tags: tag ? [tag] : [],
      related_files: [`config/${oneLine}`.slice(0, 1024)],
    });
    await attempt(sample.id, "POST", `${base}/changes`, {
      file_path: `config/${oneLine}`.slice(0, 1024),
      action: "edit",
      reason: text("change.reason"),
      diff: `--- a/.env\n+++ b/.env\n+${text("change.diff")}`,
      related_files: [`config/${oneLine}`.slice(0, 1024)],
    });
    await attempt(sample.id, "POST", `${base}/diagrams`, {
      title: `Checkout ${oneLine}`.slice(0, 200),
      diagram_source: `flowchart LR\n  web["Web ${oneLine.replace(/["[\]|]/g, " ").slice(0, 300)}"] --> api[API]`,
    });
    await attempt(sample.id, "POST", `${base}/sessions/end`, { summary: text("session.summary") });
    // Outbound: AI advice on an error text nobody recorded, and a screenshot sent with its OCR text.
    await attempt(sample.id, "POST", `${base}/errors/solutions`, {
      error_text: `HTTPError: 401\n${sample.text}`,
      ai: true,
    });
    await attempt(sample.id, "POST", `${base}/errors`, {
      screenshot: `data:image/png;base64,${PNG}`,
      screenshot_text: `ValueError: bad value\n${text("screenshot.ocr_text")}`,
    });

    // Stored, as the API returns each field.
    const [errors, decisions, changes, sessions, diagrams] = await Promise.all(
      ["errors?limit=200", "decisions", "changes", "sessions", "diagrams"].map((p) => call("GET", `${base}/${p}`)),
    );
    const has = (/** @type {unknown} */ value) => JSON.stringify(value ?? null).includes(sample.secret);
    const first = (/** @type {any} */ page) => page.items ?? page.diagrams;
    const errs = first(errors);
    const recorded = get(errs.find((/** @type {any} */ e) => get(e, "error_type")?.startsWith("AuthError")));
    const imported = get(errs.find((/** @type {any} */ e) => get(e, "error_type") === "ImportedError"));
    const shot = get(errs.find((/** @type {any} */ e) => get(e, "error_type") === "ValueError"));
    const shots = shot.id ? await call("GET", `${base}/errors/${shot.id}/screenshots`) : {};
    const decision = get(first(decisions)[0]);
    const change = get(first(changes)[0]);
    const session = get(first(sessions)[0]);
    const diagram = get(first(diagrams)[0]);
    storedLeaks.set(sample.id, {
      "error.error_type": has(recorded.error_type),
      "error.message": has(recorded.message),
      "error.stack_trace": has(recorded.stack_trace),
      "error.file_path": has(recorded.file_path),
      "error.solution": has(recorded.solution),
      "error.tags": tag ? has(recorded.tags) : null,
      "import.message": has(imported.message),
      "decision.decision": has(decision.decision),
      "decision.rationale": has(decision.rationale),
      "decision.alternatives": has(decision.alternatives),
      "decision.impact": has(decision.impact),
      "decision.tags": tag ? has(decision.tags) : null,
      "decision.related_files": has(decision.related_files),
      "change.file_path": has(change.file_path),
      "change.reason": has(change.reason),
      "change.diff": has(change.diff),
      "change.related_files": has(change.related_files),
      "session.description": has(session.description),
      "session.tags": tag ? has(session.tags) : null,
      "session.summary": has(session.summary),
      "diagram.title": has(diagram.title),
      "diagram.component": has(diagram.components ?? diagram),
      "screenshot.ocr_text": has(shot) || has(shots),
    });
    // Indexed: the error search finds nothing by the secret's most distinctive run of characters.
    const run = sample.secret.split(/[^A-Za-z0-9]+/).sort((a, b) => b.length - a.length)[0] ?? sample.secret;
    const found = await call("POST", `${base}/errors/search`, { query: run });
    indexedLeaks.set(sample.id, has(found) || (found.results ?? []).some((/** @type {any} */ r) => has(r)));
    process.stderr.write(`${sample.id} ${((performance.now() - started) / 1000).toFixed(0)}s\n`);
  }

  // Stored, in the database itself: every row of every table (FTS shadow tables included).
  const dbLeaks = new Map();
  const tables = (
    d1(
      "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'",
    )[0] ?? []
  ).map((/** @type {{ name: string }} */ r) => r.name);
  // One `wrangler d1 execute` for all tables (each start of wrangler takes seconds).
  const contents = d1(tables.map((/** @type {string} */ t) => `SELECT * FROM "${t}"`).join("; "));
  /** @type {Array<[string, string]>} */
  const dump = tables.map((/** @type {string} */ t, /** @type {number} */ i) => [t, JSON.stringify(contents[i] ?? [])]);
  for (const sample of samples) {
    dbLeaks.set(
      sample.id,
      dump.filter(([, rows]) => rows.includes(sample.secret)).map(([t]) => t),
    );
  }
  const sent = outbound.join("\n");

  // The table: one row per format, one column per field; "." clean, "X" leaked, "-" the value cannot fit there.
  const short = FIELDS.map((f, i) => String.fromCharCode(65 + i));
  console.log("\nColumns:");
  FIELDS.forEach((f, i) => console.log(`  ${short[i]} ${f} (stored, REST read)`));
  console.log(
    "  D1 any table of the local database (stored)\n  FTS error search by the secret (indexed)\n  LLM requests the model received (outbound)\n",
  );
  const width = Math.max(...samples.map((s) => s.id.length));
  console.log(`${"format".padEnd(width)}  ${short.join("")}  D1 FTS LLM`);
  let stored = 0;
  let indexed = 0;
  let sentCount = 0;
  let dbCount = 0;
  let cells = 0;
  for (const sample of samples) {
    const row = storedLeaks.get(sample.id) ?? {};
    const marks = FIELDS.map((f) => (row[f] === null ? "-" : row[f] ? "X" : "."));
    for (const f of FIELDS) if (row[f] !== null) cells += 1;
    stored += marks.filter((m) => m === "X").length;
    const inDb = dbLeaks.get(sample.id) ?? [];
    const isIndexed = indexedLeaks.get(sample.id);
    const isSent = sent.includes(sample.secret);
    dbCount += inDb.length ? 1 : 0;
    indexed += isIndexed ? 1 : 0;
    sentCount += isSent ? 1 : 0;
    console.log(
      `${sample.id.padEnd(width)}  ${marks.join("")}  ${inDb.length ? "X " : ". "} ${isIndexed ? "X  " : ".  "} ${isSent ? "X" : "."}` +
        (inDb.length ? `   (in ${inDb.join(", ")})` : "") +
        (failures.has(sample.id) ? `   ! ${failures.get(sample.id).length} call(s) failed` : ""),
    );
  }
  console.log(
    `\n${samples.length} formats × ${FIELDS.length} fields (${cells} placements), ${outbound.length} model requests:` +
      ` stored ${stored}, formats found in D1 ${dbCount}, indexed ${indexed}, sent ${sentCount}` +
      ` (target 0 everywhere). ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  );
  for (const [id, messages] of failures) console.log(`failed while recording ${id}: ${messages.join(" | ")}`);

  // False positives: the eval texts, imported and read back.
  const evalTexts = [];
  for (const file of ["defects4j/corpus.jsonl", "error-retrieval/dev.jsonl", "error-retrieval/distractors.jsonl"]) {
    const lines = readFileSync(new URL(file, EVAL), "utf8").split("\n");
    for (const line of lines.filter(Boolean)) {
      const o = JSON.parse(line);
      for (const t of [o.text, o.query, o.target]) if (typeof t === "string" && t.trim()) evalTexts.push(t);
    }
  }
  const evalProject = `/projects/bench-redact-eval-${stamp}`;
  for (let i = 0; i < evalTexts.length; i += 20) {
    const batch = evalTexts.slice(i, i + 20).map((t) => {
      const [first, ...rest] = t.split("\n");
      return {
        error_type: "EvalText",
        message: (first ?? "").slice(0, 8192) || "-",
        stack_trace: rest.join("\n") || null,
      };
    });
    await call("POST", `${evalProject}/errors/import`, { errors: batch });
  }
  // Read back what was stored (identical texts were counted as one error): any placeholder is a false positive.
  const evalStored = [];
  for (let cursor = null; ;) {
    const query = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const page = await call("GET", `${evalProject}/errors?limit=200${query}`);
    evalStored.push(...page.items);
    cursor = page.next_cursor ?? null;
    if (!cursor || page.items.length === 0) break;
  }
  const changed = evalStored.filter((e) => JSON.stringify(e).includes("[REDACTED:")).length;
  console.log(
    `False positives: ${changed} of ${evalStored.length} stored eval errors changed by redaction ` +
      `(${evalTexts.length} eval texts imported from ../shared/eval).`,
  );
} finally {
  await server.stop();
  fake.close();
}

/** The rows of each statement of `sql`, run on the bench's local D1 database. @param {string} sql @returns {any[][]} */
function d1(sql) {
  const out = execFileSync(
    "wrangler",
    [
      "d1",
      "execute",
      "DB",
      "--local",
      "--persist-to",
      process.env.CODING_MEMORY_PERSIST_TO ?? "",
      "--json",
      "--command",
      sql,
    ],
    { encoding: "utf8", maxBuffer: 512 * 1024 * 1024, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  return JSON.parse(out).map((/** @type {{ results: unknown[] }} */ r) => r.results);
}
