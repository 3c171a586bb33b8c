// The dashboard as its users meet it, in Debian's headless Chromium (playwright-core; no browser download),
// against a real `wrangler dev` (bench/server.mjs) with a local OpenAI-compatible model server (this script),
// so a held LLM call can be approved and run. Two people in two browsers:
//   alice signs up through the OAuth consent page, creates an API token, seeds a project through MCP, searches
//   an error, edits its solution (and sees it through the MCP tool), approves a held LLM call, invites bob;
//   bob signs up, accepts as a viewer, can read but not curate (the form is refused by the API's rule);
//   a forged cross-site form and a missing CSRF token are refused; another team's project is refused;
//   a revoked token is refused by the API. Every main page is checked with axe-core (no serious or critical
//   violations), for CSP violations, at laptop and phone width, and kept as a screenshot in ARTIFACTS.
// Usage: npm run test:browser   (ARTIFACTS=dir to keep screenshots elsewhere; default artifacts/dashboard)
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { chromium } from "playwright-core";
import { chatCompletionBody, startServer } from "../bench/server.mjs";
import { chromiumPath } from "./browser-oauth.mjs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const ARTIFACTS = process.env.ARTIFACTS ?? "artifacts/dashboard";
mkdirSync(ARTIFACTS, { recursive: true });
const PASSWORD = "correct horse battery staple";
const run = Date.now().toString(36);

let llmCalls = 0;
const fake = createServer((req, res) => {
  let raw = "";
  req.on("data", (chunk) => (raw += chunk));
  req.on("end", () => {
    llmCalls += 1;
    const body = JSON.parse(raw);
    const advice = JSON.stringify({
      root_cause: "order lookup returns undefined",
      fix_steps: ["guard it"],
      confidence: "medium",
    });
    res.setHeader("content-type", "application/json");
    res.end(chatCompletionBody(body.model, advice, { prompt_tokens: 900, completion_tokens: 60 }));
  });
});
await new Promise((resolve) => fake.listen(0, "127.0.0.1", () => resolve(undefined)));
const fakePort = /** @type {import("node:net").AddressInfo} */ (fake.address()).port;

const server = await startServer({
  vars: { ALLOW_SIGNUP: "true", CODING_MEMORY_BASE_URL: `http://127.0.0.1:${fakePort}/v1` },
});
const base = server.base;
const browser = await chromium.launch({
  executablePath: chromiumPath(),
  headless: true,
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
/** @type {string[]} */
const results = [];
/** @type {Array<{ page: string, ms: number }>} */
const timings = [];
/** @param {boolean} ok @param {string} what */
function check(ok, what) {
  if (!ok) throw new Error(`FAILED: ${what}`);
  results.push(what);
  console.log(`ok - ${what}`);
}

/** A browser of its own (cookies, CSP enforced), with every CSP violation it reports collected. */
/** @param {string} name */
async function person(name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  /** @type {string[]} */
  const violations = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${base}/dashboard`);
  check(
    new URL(page.url()).pathname === "/authorize",
    `${name}: /dashboard sends a signed-out browser to the sign-in page`,
  );
  const level = await page.locator('input[name="scope"]:checked').getAttribute("value");
  check(
    level === "memory:read memory:write admin",
    `${name}: the consent page preselects what the dashboard asks (${level})`,
  );
  await page.fill('input[name="user"]', name);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL(`${base}/dashboard`), page.click('button[value="signup"]')]);
  check((await page.locator("h1").textContent()) === "Projects", `${name}: signed up and landed on the dashboard`);
  return { context, page, violations };
}

/** Opens a page, times its server answer, checks it with axe-core at laptop and phone width, keeps screenshots. */
/** @param {import("playwright-core").Page} page @param {string} path @param {string} shot */
async function visit(page, path, shot) {
  const response = await page.goto(`${base}${path}`);
  const timing = response?.headers()["server-timing"] ?? "";
  const ms = Number(/page;dur=([\d.]+)/.exec(timing)?.[1] ?? NaN);
  timings.push({ page: shot, ms });
  check(response?.status() === 200, `${shot}: ${path} answers 200 (server ${ms} ms)`);
  await page.evaluate(AXE);
  /** @type {Array<{ id: string, impact: string | null, nodes: number, help: string }>} */
  const axe = await page.evaluate(() =>
    // In the page: axe was injected above.
    /** @type {any} */ (globalThis).axe
      .run(/** @type {any} */ (globalThis).document, { resultTypes: ["violations"] })
      .then((/** @type {any} */ r) =>
        r.violations.map((/** @type {any} */ v) => ({
          id: v.id,
          impact: v.impact,
          nodes: v.nodes.length,
          help: v.help,
        })),
      ),
  );
  const serious = axe.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(
    serious.length === 0,
    `${shot}: axe-core finds no serious violations${axe.length ? ` (minor: ${axe.map((v) => v.id).join(", ")})` : ""}${serious.length ? ` — ${JSON.stringify(serious)}` : ""}`,
  );
  await page.screenshot({ path: `${ARTIFACTS}/${shot}.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => {
    const view = /** @type {any} */ (globalThis);
    return view.document.documentElement.scrollWidth - view.innerWidth;
  });
  await page.screenshot({ path: `${ARTIFACTS}/${shot}-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  check(overflow <= 0, `${shot}: fits a 390 px phone screen without sideways scrolling (${overflow} px over)`);
}

/** An MCP SDK client with an API token, as an assistant or CI would connect. */
/** @param {string} token */
async function mcp(token) {
  const client = new Client({ name: "dashboard-e2e", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

let failed = false;
try {
  const aliceName = `alice-${run}`;
  const bobName = `bob-${run}`;
  const alice = await person(aliceName);

  // A token for alice's assistant, shown once.
  await alice.page.goto(`${base}/dashboard/tokens`);
  await alice.page.fill("#token-name", "laptop");
  await alice.page.selectOption("#token-level", "admin");
  await alice.page.click('button:has-text("Create token")');
  const token = (await alice.page.locator("#new-token").textContent())?.trim() ?? "";
  check(token.startsWith("cm_"), "alice: the new API token is shown once on the page");
  await alice.page.goto(`${base}/dashboard/tokens`);
  check(!(await alice.page.content()).includes(token), "alice: the token list shows only its prefix afterwards");

  // A team and a project in it, seeded the way assistants fill it: MCP tools.
  const team = `acme-${run}`;
  await alice.page.goto(`${base}/dashboard`);
  await alice.page.fill("#slug", team);
  await alice.page.click('button:has-text("Create team")');
  check(alice.page.url().includes(`/dashboard/teams/${team}`), "alice: created a team from the projects page");
  const project = `${team}/shop`;
  const client = await mcp(token);
  /** @param {string} name @param {Record<string, unknown>} args */
  const call = async (name, args) => {
    const result = await client.callTool({ name, arguments: { project_id: project, ...args } });
    if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
    return /** @type {any} */ (result.structuredContent);
  };
  await call("coding_start_session", { description: "Checkout crashes on empty carts" });
  const recorded = await call("coding_record_error", {
    error_type: "TypeError",
    message: "Cannot read properties of undefined (reading 'id')",
    stack_trace:
      "TypeError: Cannot read properties of undefined (reading 'id')\n    at orderTotal (src/checkout/total.ts:42:17)\n    at handler (src/api/orders.ts:18:9)",
    file_path: "src/checkout/total.ts",
  });
  await call("coding_record_error", {
    error_type: "ConnectionRefusedError",
    message: "connect ECONNREFUSED 127.0.0.1:5432",
  });
  await call("coding_track_file_change", {
    file_path: "src/checkout/total.ts",
    action: "edit",
    reason: "Guard a missing order",
  });
  await call("coding_record_decision", {
    decision: "Money as integer cents",
    rationale: "Floating point lost cents in totals",
    alternatives: ["decimal.js", "floats rounded at the edge"],
    related_files: ["src/checkout/total.ts"],
  });
  await call("coding_index_files", {
    files: [
      { path: "src/checkout/total.ts", content: "import { cart } from './cart';\nexport const total = () => cart;" },
      { path: "src/checkout/cart.ts", content: "import { total } from './total';\nexport const cart = 1; void total;" },
      { path: "src/api/orders.ts", content: "import { total } from '../checkout/total';\nexport const h = total;" },
    ],
  });
  await call("coding_end_session", { summary: "Guarded the order lookup.", success: true });
  const errorId = recorded.error_id;
  const projectPage = `/dashboard/t/${team}/shop`;

  await visit(alice.page, "/dashboard", "projects");
  await visit(alice.page, projectPage, "overview");
  check(
    (await alice.page.locator(".card .n").first().textContent())?.trim() === "2",
    "overview: counts the two open errors",
  );

  // Search as the tool searches, with its why; then curate the solution.
  await visit(
    alice.page,
    `${projectPage}/errors?q=${encodeURIComponent("TypeError reading id of undefined in orderTotal")}`,
    "errors-search",
  );
  const firstHit = alice.page.locator("ol.list > li").first();
  check(
    ((await firstHit.textContent()) ?? "").includes("Cannot read properties of undefined"),
    "errors: the search finds the TypeError first",
  );
  check(
    ((await firstHit.locator(".why").textContent()) ?? "").startsWith("Why:"),
    "errors: each hit says why it matched",
  );
  await firstHit.locator("a").first().click();
  await alice.page.waitForURL(`**/errors/${errorId}`);
  const fix = "Guard the lookup: return 404 when the order is missing";
  await alice.page.fill("#solution", fix);
  await Promise.all([alice.page.waitForURL(/notice=resolved/), alice.page.click('button[value="resolve"]')]);
  check(
    (await alice.page.locator(".notice").textContent())?.trim() === "Marked resolved.",
    "error: the solution is saved and marked resolved",
  );
  await visit(alice.page, `${projectPage}/errors/${errorId}`, "error");
  check(
    (await alice.page.locator('svg.chart[aria-label^="Sightings per day"] rect').count()) === 1,
    "error: its recurrence timeline shows today's sighting",
  );
  const solutions = await call("coding_get_solutions_for_error", {
    error_text: "TypeError: Cannot read properties of undefined (reading 'id') at orderTotal",
  });
  check(
    JSON.stringify(solutions).includes(fix),
    "MCP: coding_get_solutions_for_error returns the solution edited in the dashboard",
  );

  await visit(alice.page, `${projectPage}/decisions`, "decisions");
  // Wait for the page the link opens, not the list it was clicked on.
  await Promise.all([alice.page.waitForURL(/\/(decisions|sessions)\/[^/?]+$/), alice.page.click("ul.list a")]);
  check(
    ((await alice.page.content()) ?? "").includes("Floating point lost cents"),
    "decisions: a decision shows its rationale",
  );
  await visit(alice.page, `${projectPage}/sessions`, "sessions");
  // Wait for the page the link opens, not the list it was clicked on.
  await Promise.all([alice.page.waitForURL(/\/(decisions|sessions)\/[^/?]+$/), alice.page.click("ul.list a")]);
  check(
    ((await alice.page.locator("pre").first().textContent()) ?? "").includes("Guarded the order lookup."),
    "sessions: a session shows its summary",
  );
  const timeline = (await alice.page.locator("ol.list").textContent()) ?? "";
  check(
    timeline.includes("src/checkout/total.ts") &&
      timeline.includes("Money as integer cents") &&
      timeline.includes("error seen"),
    "sessions: its timeline has the change, the decision and the error, in time order",
  );
  await visit(alice.page, `${projectPage}/graph?file=${encodeURIComponent("src/checkout/total.ts")}&depth=2`, "graph");
  check(
    (await alice.page.locator('svg.graph path[stroke="#cf222e"]').count()) === 2,
    "graph: the two-file import cycle is drawn in red",
  );
  await alice.page.click('svg.graph a[aria-label="src/api/orders.ts"]');
  check(
    decodeURIComponent(alice.page.url()).includes("file=src/api/orders.ts"),
    "graph: selecting a file centres the graph on it",
  );

  // A held LLM call, approved in the dashboard.
  await call("coding_update_settings", { model: "local/gpt-4o-mini", auto_approve: false, cost_threshold: 0 });
  const held = await call("coding_get_solutions_for_error", {
    error_text: "ECONNREFUSED 127.0.0.1:5432 on boot",
    ai: true,
  });
  check(JSON.stringify(held).includes("approval_required"), "LLM: advice over the threshold is held for approval");
  const before = llmCalls;
  await visit(alice.page, `${projectPage}/costs`, "costs-pending");
  await Promise.all([alice.page.waitForURL(/notice=approved/), alice.page.click('button:has-text("Approve")')]);
  check(llmCalls === before + 1, "costs: approving in the dashboard runs the held call (the model server got it)");
  await visit(alice.page, `${projectPage}/costs`, "costs");
  check(
    (await alice.page.locator("svg.chart").count()) >= 3,
    "costs: spend per month, model and operation drawn as charts",
  );

  // Settings: the budget, and a CI webhook whose delivery is then listed with what it recorded.
  await visit(alice.page, `${projectPage}/settings`, "settings");
  await alice.page.fill("#max_monthly_budget_usd", "25");
  await Promise.all([alice.page.waitForURL(/notice=saved/), alice.page.click('button:has-text("Save settings")')]);
  check(
    (await alice.page.inputValue("#max_monthly_budget_usd")) === "25",
    "settings: an admin sets the monthly budget",
  );
  const overrides = (await alice.page.locator("main p.muted.small").first().textContent()) ?? "";
  check(
    overrides.includes("max_monthly_budget_usd") && !overrides.includes("warn_at_percentage"),
    "settings: only the changed field becomes an override (the others keep the server's default)",
  );
  await alice.page.fill("#repository", `acme/shop-${run}`);
  await alice.page.click('button:has-text("Create the webhook")');
  const secret = (await alice.page.locator("#webhook-secret").textContent())?.trim() ?? "";
  check(secret.startsWith("whsec_"), "settings: the webhook secret is shown once");
  const delivery = JSON.stringify({
    action: "completed",
    check_run: {
      id: 1,
      name: "pytest",
      head_sha: "abc123",
      conclusion: "failure",
      app: { slug: "ci" },
      output: {
        title: "1 failed",
        summary: "",
        text: "FAILED tests/test_cart.py::test_total - ZeroDivisionError: division by zero",
      },
    },
    repository: { full_name: `acme/shop-${run}` },
  });
  const signature = `sha256=${createHmac("sha256", secret).update(delivery).digest("hex")}`;
  const delivered = await fetch(`${base}/webhooks/github`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-GitHub-Event": "check_run",
      "X-GitHub-Delivery": `d-${run}`,
      "X-Hub-Signature-256": signature,
    },
    body: delivery,
  });
  check(delivered.status === 201, `webhook: a signed GitHub delivery is recorded (${delivered.status})`);
  await alice.page.goto(`${base}${projectPage}/settings`);
  check(
    ((await alice.page.locator("table").last().textContent()) ?? "").includes("check_run"),
    "settings: the delivery is listed with what it recorded",
  );

  // Invite bob as a viewer; he accepts in his own browser.
  await alice.page.goto(`${base}/dashboard/teams/${team}`);
  await alice.page.selectOption("#invite-role", "viewer");
  await alice.page.fill("#invite-note", "bob");
  await alice.page.click('button:has-text("Create invitation")');
  const code = (await alice.page.locator("#invitation-code").textContent())?.trim() ?? "";
  check(code.length >= 8, "team: the invitation code is shown once");
  await visit(alice.page, `/dashboard/teams/${team}`, "team");
  const bob = await person(bobName);
  await bob.page.goto(`${base}/dashboard/teams`);
  await bob.page.fill("#code", code);
  await Promise.all([bob.page.waitForURL(/notice=joined/), bob.page.click('button:has-text("Join")')]);
  check(((await bob.page.content()) ?? "").includes("you: viewer"), "bob: accepted the invitation and is a viewer");
  await bob.page.goto(`${base}${projectPage}/errors/${errorId}`);
  check((await bob.page.locator("#solution").count()) === 0, "bob: a viewer gets no curation form");
  const bobSettings = await bob.page.goto(`${base}${projectPage}/settings`);
  check(bobSettings?.status() === 403, `bob: a viewer cannot open the project settings (${bobSettings?.status()})`);
  await bob.page.goto(`${base}${projectPage}/errors/${errorId}`);
  const csrf = await bob.page.locator('input[name="csrf"]').first().getAttribute("value");
  const refused = await bob.page.evaluate(
    async ([url, token]) => {
      const res = await fetch(String(url), {
        method: "POST",
        body: new URLSearchParams({ csrf: String(token), action: "save", solution: "vandalised" }),
      });
      return { status: res.status, text: await res.text() };
    },
    [`${projectPage}/errors/${errorId}`, csrf ?? ""],
  );
  check(
    refused.status === 403 && refused.text.includes("viewer"),
    `bob: posting the form anyway is refused by the role (${refused.status})`,
  );

  // CSRF: no token, or a form from another site.
  const noToken = await bob.page.evaluate(
    async (url) => (await fetch(url, { method: "POST", body: new URLSearchParams({ action: "save" }) })).status,
    `${projectPage}/errors/${errorId}`,
  );
  check(noToken === 403, "CSRF: a form without the session's token is refused");
  const evil = createServer((_req, res) => {
    res.setHeader("content-type", "text/html");
    res.end(
      `<form id="f" method="post" action="${base}/dashboard/tokens"><input name="name" value="stolen"><input name="csrf" value="${csrf}"></form><script>f.submit()</script>`,
    );
  });
  await new Promise((resolve) => evil.listen(0, "127.0.0.1", () => resolve(undefined)));
  const evilUrl = `http://localhost:${/** @type {import("node:net").AddressInfo} */ (evil.address()).port}/`;
  const forged = await bob.page
    .goto(evilUrl)
    .then(() => bob.page.waitForLoadState("load"))
    .then(() => bob.page.content());
  evil.close();
  // SameSite=Lax keeps the session cookie off a cross-site POST, so the form arrives signed out; with a cookie
  // it would still be refused by its Origin (test/integration/dashboard.test.ts).
  check(/another site|session ended/.test(forged), "CSRF: a form posted from another site is refused");
  await bob.page.goto(`${base}/dashboard/tokens`);
  check(!(await bob.page.content()).includes("stolen"), "CSRF: the forged form created no token");

  // Cross-team: bob's own personal project is not alice's to read, and the reverse.
  const bobToken = await (async () => {
    await bob.page.goto(`${base}/dashboard/tokens`);
    await bob.page.fill("#token-name", "bob");
    await bob.page.click('button:has-text("Create token")');
    return (await bob.page.locator("#new-token").textContent())?.trim() ?? "";
  })();
  const bobClient = await mcp(bobToken);
  await bobClient.callTool({
    name: "coding_record_error",
    arguments: { project_id: "secret", error_type: "KeyError", message: "bob's private error" },
  });
  const other = await alice.page.goto(`${base}/dashboard/t/${encodeURIComponent(`~${bobName}`)}/secret/errors`);
  check(
    other?.status() === 404 || other?.status() === 403,
    `cross-team: alice cannot open bob's personal project (${other?.status()})`,
  );

  // Revoking a token in the dashboard stops it at the API.
  await alice.page.goto(`${base}/dashboard/tokens`);
  alice.page.once("dialog", (dialog) => dialog.accept());
  await Promise.all([alice.page.waitForURL(/notice=revoked/), alice.page.click('button:has-text("Revoke")')]);
  const after = await fetch(`${base}/api/v1/projects/${encodeURIComponent(project)}/errors`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  check(after.status === 401, `tokens: the revoked token is refused by the API (${after.status})`);
  await visit(alice.page, "/dashboard/tokens", "tokens");

  // Signing out ends the session: the old cookie no longer opens a page.
  const cookies = await alice.context.cookies();
  await alice.page.click('button:has-text("Sign out")');
  await alice.page.waitForURL(/signed-out/);
  const replay = await fetch(`${base}/dashboard`, {
    headers: { Cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") },
    redirect: "manual",
  });
  check(replay.status === 303, "sign-out: the session cookie is dead afterwards");

  const violations = [...alice.violations, ...bob.violations];
  check(
    violations.length === 0,
    `CSP: no violations on any page${violations.length ? `: ${violations.join(" | ")}` : ""}`,
  );
  await bobClient.close();
  await client.close();
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await browser.close();
  await server.stop();
  fake.close();
}
const sorted = timings
  .map((t) => t.ms)
  .filter(Number.isFinite)
  .sort((a, b) => a - b);
console.log(`page server time (ms): ${timings.map((t) => `${t.page} ${t.ms}`).join(", ")}; max ${sorted.at(-1)}`);
console.log(`${results.length} checks passed${failed ? ", then one failed" : ""}; screenshots in ${ARTIFACTS}`);
process.exit(failed ? 1 : 0);
