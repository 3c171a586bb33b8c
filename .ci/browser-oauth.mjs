// The OAuth path the README recommends first, as a new user's assistant takes it: the official MCP SDK's OAuth
// client (discovery from the 401, dynamic registration, PKCE) with a loopback callback server, and a real
// headless Chromium that opens the sign-in page, mistypes the password once, signs in and follows the redirect
// back. Then a write through tools/call must succeed. Chromium enforces the page's CSP on that redirect, which
// is what a fetch-based test cannot show.
//
// Standalone, against a running server with an existing account:
//   node .ci/browser-oauth.mjs http://127.0.0.1:8787 <user> <password>
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { chromium } from "playwright-core";
import { loopbackRedirect, memoryProvider } from "../src/cli/oauth-client.mjs";

/** Debian's chromium (apt-get install chromium); CHROMIUM overrides. No browser is downloaded. */
export function chromiumPath() {
  const candidates = [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean);
  const found = candidates.find((path) => existsSync(/** @type {string} */ (path)));
  if (!found) throw new Error(`no Chromium at ${candidates.join(", ")}: apt-get install -y chromium`);
  return /** @type {string} */ (found);
}

/**
 * @param {{ base: string, user: string, password: string, log?: (line: string) => void }} options
 * @returns {Promise<string>} a one-line summary
 */
export async function browserOAuth({ base, user, password, log = () => {} }) {
  const mcpUrl = new URL("/mcp", base);
  const callback = await loopbackRedirect();
  const { store, provider } = memoryProvider(callback.redirectUrl, {
    client_name: "browser-oauth e2e (MCP SDK)",
    grant_types: ["authorization_code", "refresh_token"],
  });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // CI runs as root, where Chromium's sandbox cannot start.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  try {
    const first = new Client({ name: "browser-oauth-e2e", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: /** @type {any} */ (provider) });
    const refused = await first.connect(transport).then(
      () => null,
      (error) => error,
    );
    if (!(refused instanceof UnauthorizedError)) throw new Error(`expected the 401 to start OAuth, got ${refused}`);
    /** @type {URL} */
    const authorizationUrl = store.authorizationUrl;
    if (!authorizationUrl) throw new Error("the SDK never asked to open the browser");
    log(`registered ${store.client?.client_id}; scope asked: ${authorizationUrl.searchParams.get("scope")}`);

    const page = await browser.newPage();
    /** @type {string[]} */
    const violations = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(authorizationUrl.href, { waitUntil: "load", timeout: 30_000 });
    const level = await page.locator('input[name="scope"]:checked').getAttribute("value");
    if (level !== "memory:read memory:write") throw new Error(`the consent page preselects "${level}", not read+write`);
    // A typo first: the page comes back with its error, and its form must still be allowed to reach the client.
    await page.fill('input[name="user"]', user);
    await page.fill('input[name="password"]', `${password}-typo`);
    await Promise.all([page.waitForLoadState("load"), page.click('button[value="login"]')]);
    const error = await page.locator(".error").textContent({ timeout: 15_000 });
    log(`wrong password answered: ${error?.trim()}`);
    await page.fill('input[name="user"]', user);
    await page.fill('input[name="password"]', password);
    await page.click('button[value="login"]');
    const params = await Promise.race([
      callback.received,
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`no redirect to the callback in 30 s; CSP: ${violations.join(" | ") || "none"}`)),
          30_000,
        ),
      ),
    ]);
    if (violations.length) throw new Error(`CSP violations in Chromium: ${violations.join(" | ")}`);
    if (params.get("error"))
      throw new Error(`authorization failed: ${params.get("error")} ${params.get("error_description")}`);
    if (params.get("state") !== store.state) throw new Error("the callback's state is not the one the client sent");
    const code = params.get("code");
    if (!code) throw new Error(`no code in the callback: ${params}`);
    await transport.finishAuth(code);
    log(`token scope: ${store.tokens?.scope}`);

    const client = new Client({ name: "browser-oauth-e2e", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: /** @type {any} */ (provider) }));
    const project = `browser-oauth-${randomUUID().slice(0, 8)}`;
    const written = /** @type {any} */ (
      await client.callTool({
        name: "coding_record_error",
        arguments: { project_id: project, error_type: "TypeError", message: "recorded through a browser OAuth grant" },
      })
    );
    if (written.isError) throw new Error(`the write failed: ${JSON.stringify(written.content)}`);
    const found = /** @type {any} */ (
      await client.callTool({ name: "coding_search_errors", arguments: { project_id: project, query: "browser" } })
    );
    const results = found.structuredContent?.results ?? [];
    await client.close();
    if (found.isError || results.length !== 1)
      throw new Error(`the read-back failed: ${JSON.stringify(found.content)}`);
    const cli = await cliLogin(browser, base, user, password);
    return (
      `SDK OAuth + Chromium: registered, signed in (after a wrong password), scope "${store.tokens?.scope}", ` +
      `wrote and read back in ${project}; ${cli}`
    );
  } finally {
    await browser.close();
    await callback.close();
  }
}

/**
 * `coding-memory login` as a user runs it: the CLI prints the sign-in URL, Chromium opens it, signs in and allows
 * (the level the CLI asked for preselected), follows the redirect to the CLI's loopback page; the CLI must then
 * hold a token of its own that writes memory and does not administer.
 * @param {import("playwright-core").Browser} browser @param {string} base @param {string} user @param {string} password
 */
async function cliLogin(browser, base, user, password) {
  const home = mkdtempSync(join(tmpdir(), "cm-cli-login-"));
  const cli = fileURLToPath(new URL("../src/cli/coding-memory.mjs", import.meta.url));
  const env = { ...process.env, XDG_CONFIG_HOME: home, HOME: home, CODING_MEMORY_TOKEN: "", CODING_MEMORY_URL: "" };
  const child = spawn(process.execPath, [cli, "login", "--url", base, "--no-browser"], {
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise((resolve) => child.on("close", resolve));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coding-memory login printed no URL:\n${output}`)), 30_000);
    const read = (/** @type {Buffer} */ chunk) => {
      output += chunk;
      const found = /\n {2}(http\S+)\n/.exec(output)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", (chunk) => (output += chunk));
  });
  try {
    const page = await browser.newPage();
    await page.goto(/** @type {string} */ (url), { waitUntil: "load", timeout: 30_000 });
    const level = await page.locator('input[name="scope"]:checked').getAttribute("value");
    if (level !== "memory:read memory:write admin") throw new Error(`the login's consent preselects "${level}"`);
    await page.fill('input[name="user"]', user);
    await page.fill('input[name="password"]', password);
    await Promise.all([
      page.waitForURL(/127\.0\.0\.1:\d+\/callback/, { timeout: 30_000 }),
      page.click('button[value="login"]'),
    ]);
    const landed = await page.textContent("body");
    if (!/Signed in/.test(landed ?? "")) throw new Error(`the loopback page says: ${landed}`);
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("timeout"), 30_000))]);
    if (code !== 0) throw new Error(`coding-memory login exited ${code}:\n${output}`);
    const { token } = JSON.parse(readFileSync(join(home, "coding-memory", "config.json"), "utf8"));
    const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const write = await fetch(`${base}/api/v1/projects/cli-login-${randomUUID().slice(0, 8)}/errors`, {
      method: "POST",
      headers,
      body: JSON.stringify({ error_type: "E", message: "written with the token coding-memory login made" }),
    });
    const administer = await fetch(`${base}/api/v1/tokens`, { headers });
    if (write.status !== 201 || administer.status !== 403)
      throw new Error(`the CLI's token: write ${write.status} (want 201), tokens ${administer.status} (want 403)`);
    return "coding-memory login through Chromium: its own read+write token, saved and working";
  } finally {
    child.kill();
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [base, user, password] = process.argv.slice(2);
  if (!base || !user || !password) {
    console.error("usage: node .ci/browser-oauth.mjs BASE_URL USER PASSWORD");
    process.exit(2);
  }
  browserOAuth({ base, user, password, log: (line) => console.log(`  ${line}`) }).then(
    (summary) => console.log(`PASS ${summary}`),
    (error) => {
      console.error(`FAIL ${error?.stack ?? error}`);
      process.exit(1);
    },
  );
}
