// Bench: is the monthly LLM budget a hard cap when the input and the provider are hostile? `wrangler dev` runs the
// real Worker (bench/server.mjs) with projects on a priced model ("local/gpt-4o-mini": gpt-4o-mini's price, served
// by the OpenAI-compatible fake below). Each scenario gets its own project and budget, asks for AI advice on an
// error (POST /errors/solutions with ai:true) until the budget refuses, and prints spend against budget:
//   dense CJK / dense hex    text with far more tokens per character than English; the fake reports as many
//                            prompt tokens as any real tokenizer could (one per UTF-8 byte) and every max_tokens
//   over-reporting           English text, usage reported at that same worst case (3-4× a real count)
//   omitted usage            the fake leaves `usage` out of its answers
//   concurrent               12 calls at once against room for about 3
//   no API key               a model whose provider key is not set (claude-haiku-4-5), $1 budget so that a
//                            phantom charge shows as spend: nothing may be booked, and the session summary must
//                            fail at once instead of staying "pending"
//   beyond any tokenizer     the fake reports 40× every byte (impossible for a real tokenizer): billed as reported,
//                            then every later call must be refused
// Phantom charges: ledger rows with a cost whose call never reached the fake.
// Target: spend ≤ budget in every scenario a real provider can produce, 0 phantom charges.
// Usage: npm run bench:budget   (PORT / FAKE_PORT override the ports, default 8861 / 8862)
import { createServer } from "node:http";
import { chatCompletionBody, startServer } from "./server.mjs";

const PORT = process.env.PORT ?? "8861";
const FAKE_PORT = Number(process.env.FAKE_PORT ?? "8862");
const BUDGET_USD = 0.004;

/** @type {{ mode: "worst" | "omit" | "inflate", received: number }} */
const fakeState = { mode: "worst", received: 0 };
const utf8 = (/** @type {string} */ text) => Buffer.byteLength(text, "utf8");
const fake = createServer((req, res) => {
  let raw = "";
  req.on("data", (chunk) => (raw += chunk));
  req.on("end", () => {
    fakeState.received += 1;
    const body = JSON.parse(raw);
    /** @type {Array<{ content: string }>} */
    const messages = body.messages;
    const worstPrompt = messages.reduce((sum, m) => sum + utf8(String(m.content)) + 4, 3);
    const usage =
      fakeState.mode === "omit"
        ? undefined
        : {
            prompt_tokens: fakeState.mode === "inflate" ? worstPrompt * 40 : worstPrompt,
            completion_tokens: Number(body.max_tokens ?? 0),
          };
    res.setHeader("content-type", "application/json");
    res.end(
      chatCompletionBody(body.model, JSON.stringify({ root_cause: "x", fix_steps: [], confidence: "low" }), usage),
    );
  });
});
await new Promise((resolve) => fake.listen(FAKE_PORT, "127.0.0.1", () => resolve(undefined)));

const server = await startServer({
  port: PORT,
  vars: { CODING_MEMORY_BASE_URL: `http://127.0.0.1:${FAKE_PORT}/v1`, CODING_MEMORY_SUMMARY_WAIT_MS: "3000" },
});
const headers = { Authorization: `Bearer ${server.token}`, "Content-Type": "application/json" };
/** @param {string} project @param {string} path @param {unknown} [body] */
async function call(project, path, body) {
  const res = await fetch(`${server.base}/api/v1/projects/${project}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

const texts = {
  cjk: `TypeError: 無効な値です ${"数据库连接失败请检查配置文件中的用户名和密码是否正确".repeat(95)}`,
  hex: `Error: bad digest ${Array.from({ length: 8_000 }, (_, i) => ((i * 2654435761) >>> 0).toString(16).slice(-1)).join("")}`,
  english: `TypeError: cannot read properties of undefined (reading 'total') ${"at computeInvoice (src/billing/invoice.ts:42:17) ".repeat(150)}`,
};

/**
 * @param {{ name: string, text: string, mode: "worst" | "omit" | "inflate", model?: string,
 *   concurrent?: number, session?: boolean, budget?: number }} scenario
 */
async function run(scenario) {
  const project = `bench-budget-${scenario.name.replace(/\W+/g, "-")}-${Date.now()}`;
  const settings = await call(project, "/settings", {
    model: scenario.model ?? "local/gpt-4o-mini",
    auto_approve: true,
    max_monthly_budget_usd: scenario.budget ?? BUDGET_USD,
  });
  if (settings.status !== 200) throw new Error(`settings: ${JSON.stringify(settings.body)}`);
  fakeState.mode = scenario.mode;
  const receivedBefore = fakeState.received;
  const statuses = /** @type {number[]} */ ([]);
  const ask = async () => {
    const res = await call(project, "/errors/solutions", { error_text: scenario.text, ai: true });
    statuses.push(res.status);
    return res.status;
  };
  if (scenario.concurrent) {
    await Promise.all(Array.from({ length: scenario.concurrent }, ask));
  } else {
    // Until refused, then a few more: nothing after the first refusal may reach the provider.
    let refusedAt = -1;
    for (let i = 0; i < 40 && (refusedAt < 0 || i < refusedAt + 4); i += 1) {
      if ((await ask()) === 402 && refusedAt < 0) refusedAt = i;
    }
  }
  let summaryState = null;
  if (scenario.session) {
    await call(project, "/sessions", { description: "no key" });
    summaryState = (await call(project, "/sessions/end", {})).body.summary_status?.state ?? null;
  }
  const reached = fakeState.received - receivedBefore;
  const costs = (await call(project, `/costs?limit=200`)).body;
  /** @type {Array<{ outcome: string, cost_usd: number }>} */
  const calls = costs.calls;
  const billed = calls.filter((c) => c.cost_usd > 0).length;
  const spent = costs.budget.month_spent_usd;
  const ok = statuses.filter((s) => s === 200).length;
  const refused = statuses.filter((s) => s === 402).length;
  const other = statuses.filter((s) => s !== 200 && s !== 402);
  return {
    scenario: scenario.name,
    requests: statuses.length,
    completed: ok,
    refused,
    other: other.length ? `${other.length}× ${[...new Set(other)].join("/")}` : "-",
    reachedProvider: reached,
    phantom: Math.max(0, billed - reached),
    spentUsd: spent,
    budgetUsd: scenario.budget ?? BUDGET_USD,
    percent: Math.round((spent / (scenario.budget ?? BUDGET_USD)) * 1000) / 10,
    withinBudget: spent <= (scenario.budget ?? BUDGET_USD),
    ...(summaryState ? { summary: summaryState } : {}),
  };
}

try {
  const rows = [];
  rows.push(await run({ name: "dense CJK", text: texts.cjk, mode: "worst" }));
  rows.push(await run({ name: "dense hex", text: texts.hex, mode: "worst" }));
  rows.push(await run({ name: "over-reporting usage", text: texts.english, mode: "worst" }));
  rows.push(await run({ name: "omitted usage", text: texts.cjk, mode: "omit" }));
  rows.push(await run({ name: "concurrent (12 at once)", text: texts.cjk, mode: "worst", concurrent: 12 }));
  rows.push(
    await run({
      name: "no API key",
      text: texts.english,
      mode: "worst",
      model: "claude-haiku-4-5",
      session: true,
      budget: 1,
    }),
  );
  const beyond = await run({ name: "beyond any tokenizer (40×)", text: texts.cjk, mode: "inflate" });

  console.log(`Adversarial budget bench: budget $${BUDGET_USD} per project, model gpt-4o-mini prices`);
  console.log("scenario".padEnd(28) + "requests  ok  402  other   reached  phantom  spent        % of budget");
  for (const row of [...rows, beyond]) {
    console.log(
      row.scenario.padEnd(28) +
        String(row.requests).padStart(8) +
        String(row.completed).padStart(4) +
        String(row.refused).padStart(5) +
        `  ${row.other}`.padEnd(8) +
        String(row.reachedProvider).padStart(8) +
        String(row.phantom).padStart(9) +
        `  $${row.spentUsd.toFixed(6)}`.padEnd(13) +
        `${row.percent}%`.padStart(8) +
        (row.budgetUsd === BUDGET_USD ? "" : ` of $${row.budgetUsd}`) +
        (row.summary ? `  (summary: ${row.summary})` : ""),
    );
  }
  const phantom = [...rows, beyond].reduce((sum, row) => sum + row.phantom, 0);
  const within = rows.every((row) => row.withinBudget);
  const afterOverrun = beyond.reachedProvider;
  console.log(
    `\nspend ≤ budget in every real-provider scenario: ${within ? "met" : "NOT met"}; phantom charges: ${phantom} ` +
      `(target 0: ${phantom === 0 ? "met" : "NOT met"})`,
  );
  console.log(
    `beyond any tokenizer: ${afterOverrun} call(s) reached the provider, billed as reported ` +
      `(${beyond.percent}% of the budget); every later call refused: ${beyond.refused === beyond.requests - afterOverrun ? "yes" : "NO"}`,
  );
} finally {
  await server.stop();
  fake.close();
}
