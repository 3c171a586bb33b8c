// Bench: tokens and estimated cost of each LLM operation for a 100-event session, through the real code path.
// `wrangler dev` runs with the project's model on a local OpenAI-compatible server (this script), which records
// every prompt the Worker sends; prompts are counted with the o200k tokenizer (gpt-tokenizer) and priced for
// several models with the same price table the Worker uses (@pydantic/genai-prices), output at its max_tokens.
// Target: session-summary input ≤ 3,000 tokens (the seed estimated 5,000), still naming every error, decision
// and file group.
// Usage: npm run bench:llm
import { createServer } from "node:http";
import { calcPrice } from "@pydantic/genai-prices";
import { countTokens } from "gpt-tokenizer";
import { chatCompletionBody, startServer } from "./server.mjs";

const FAKE_PORT = 8799;
const MODELS = [
  ["openai", "gpt-5-mini"],
  ["google", "gemini-2.5-flash"],
  ["anthropic", "claude-sonnet-4-5"],
  ["cloudflare", "@cf/meta/llama-3.1-8b-instruct"],
];

/** @type {Array<{ system: string, user: string, maxTokens: number }>} */
const prompts = [];
const fake = createServer((req, res) => {
  let raw = "";
  req.on("data", (chunk) => (raw += chunk));
  req.on("end", () => {
    const body = JSON.parse(raw);
    const system = body.messages.find((/** @type {{role: string}} */ m) => m.role === "system")?.content ?? "";
    const user = body.messages.find((/** @type {{role: string}} */ m) => m.role === "user")?.content ?? "";
    prompts.push({ system, user, maxTokens: body.max_tokens ?? 0 });
    const content = system.includes("compress a coding project")
      ? "## Open errors\n- none"
      : system.includes("coding preferences")
        ? JSON.stringify({ languages: [], libraries: [], naming: [], testing: [], style: [] })
        : system.includes("JSON object")
          ? JSON.stringify({ root_cause: "x", fix_steps: [], confidence: "low" })
          : "## Summary\nok";
    res.setHeader("content-type", "application/json");
    res.end(
      chatCompletionBody(body.model, content, { prompt_tokens: countTokens(system + user), completion_tokens: 50 }),
    );
  });
});
await new Promise((resolve) => fake.listen(FAKE_PORT, "127.0.0.1", () => resolve(undefined)));

const server = await startServer({
  port: "8790",
  vars: { CODING_MEMORY_BASE_URL: `http://127.0.0.1:${FAKE_PORT}/v1`, CODING_MEMORY_SUMMARY_WAIT_MS: "10000" },
});
const project = `bench-llm-${Date.now()}`;
const headers = { Authorization: `Bearer ${server.token}`, "Content-Type": "application/json" };
/** @param {string} path @param {unknown} [body] */
async function call(path, body) {
  const res = await fetch(`${server.base}/api/v1/projects/${project}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

try {
  await call("/settings", { model: "local/bench-model", auto_approve: true });
  await call("/sessions", {
    description: "Billing refactor: integer cents, PDF invoices, flaky tests",
    tags: ["billing"],
  });
  // 100 events: 70 file changes over 8 directories, 20 errors (some recurring), 10 decisions.
  const dirs = [
    "src/billing",
    "src/billing/pdf",
    "src/api",
    "src/db/migrations",
    "src/auth",
    "tests/billing",
    "tests/api",
    "docs",
  ];
  /** @type {string[]} */
  const errorNames = [];
  for (let i = 0; i < 70; i++) {
    const dir = dirs[i % dirs.length];
    await call("/changes", {
      file_path: `${dir}/module_${i % 25}.py`,
      action: ["edit", "create", "refactor", "test"][i % 4],
      reason: `Step ${i}: move invoice totals to integer cents and keep rounding in one place (${dir})`,
      diff: `+from decimal import Decimal, ROUND_HALF_EVEN\n+import pytest\n${"+    total += line.amount_cents\n".repeat(40)}`,
    });
  }
  const types = ["TypeError", "KeyError", "AssertionError", "IntegrityError", "ValueError"];
  for (let i = 0; i < 20; i++) {
    const type = types[i % types.length] ?? "Error";
    const message = `invoice ${i % 14} total mismatch in ${dirs[i % dirs.length]}: expected 1000 cents`;
    errorNames.push(`${type}: invoice ${i % 14} total mismatch`);
    await call("/errors", {
      error_type: type,
      message,
      stack_trace: `Traceback (most recent call last):\n  File "/srv/app/${dirs[i % dirs.length]}/module_${i}.py", line ${10 + i}, in total\n    return sum(lines)\n${type}: ${message}`,
      ...(i % 2 ? { solution: "Quantize with ROUND_HALF_EVEN before summing" } : {}),
    });
  }
  /** @type {string[]} */
  const decisions = [];
  for (let i = 0; i < 10; i++) {
    decisions.push(`Decision ${i}: store amounts as integer cents`);
    await call("/decisions", {
      decision: decisions[i],
      rationale: "Floats lose cents when summing many invoice lines; integers are exact and fast.",
      alternatives: ["Decimal everywhere", "float with rounding"],
    });
  }
  const ended = await call("/sessions/end", {});
  await call("/errors/solutions", { error_text: "TypeError: invoice 3 total mismatch: expected 1000 cents", ai: true });
  await call("/patterns");
  await call("/errors/solutions", { error_text: "SegmentationFault: libpng crashed decoding a thumbnail", ai: true });
  await call("/context?max_tokens=500&compress=true");

  console.log(`LLM operations for a 100-event session (70 changes / 8 directories, 20 errors, 10 decisions)`);
  console.log(`summary status at session end: ${ended.summary_status.state}`);
  // Wait for the queued summary if the session end answered before it ran.
  for (let i = 0; i < 100 && !prompts.some((p) => p.system.includes("end-of-session summary")); i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  /** @param {string} system */
  const operationOf = (system) =>
    system.includes("end-of-session summary")
      ? "session summary"
      : system.includes("coding preferences")
        ? "preference extraction"
        : system.includes("has not solved before")
          ? "error analysis"
          : system.includes("compress a coding project")
            ? "context compression"
            : "solution suggestion";
  for (const prompt of prompts) {
    const systemTokens = countTokens(prompt.system);
    const inputTokens = countTokens(prompt.user);
    const total = systemTokens + inputTokens;
    const costs = MODELS.map(([providerId, model]) => {
      const price = calcPrice({ input_tokens: total, output_tokens: prompt.maxTokens }, model ?? "", { providerId });
      return `${model} $${price ? price.total_price.toFixed(5) : "?"}`;
    });
    console.log(
      `${operationOf(prompt.system).padEnd(22)} input ${inputTokens} tokens + system prompt ${systemTokens} ` +
        `= ${total}; output ≤ ${prompt.maxTokens}; at most: ${costs.join(", ")}`,
    );
  }
  const summary = prompts.find((p) => p.system.includes("end-of-session summary"))?.user ?? "";
  const missing = [
    ...errorNames.filter((name) => !summary.includes(name)),
    ...decisions.filter((decision) => !summary.includes(decision)),
    ...dirs.filter((dir) => !summary.includes(`- ${dir}/ (`)),
  ];
  console.log(
    `session summary input names ${missing.length ? `all but ${missing.length}: ${missing.join("; ")}` : "every error, decision and file group"}; ` +
      `target input ≤ 3000 tokens: ${countTokens(summary) <= 3000 ? "met" : "NOT met"} (seed estimate: ~5000)`,
  );
} finally {
  await server.stop();
  fake.close();
}
