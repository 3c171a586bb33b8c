// Real outside clients against `npm run dev`, each step bounded in time, one PASS/FAIL line each:
//  1. browser-oauth: the official MCP SDK's OAuth client + headless Chromium (.ci/browser-oauth.mjs), ending in
//     a write through tools/call;
//  2. conformance: the official MCP conformance suite, MCP Inspector CLI and probes (../shared/conformance,
//     run from a temporary copy: the shared folder is read-only and its runner installs its own packages);
//  3. claude-code: the real Claude Code CLI (installed into a temporary folder, with a temporary HOME, never the
//     user's config): `claude mcp add … --header` must show "✔ Connected", the bare URL must be found to
//     need OAuth, and after `coding-memory init` Claude Code must accept the written settings and run the
//     session hooks against the server.
// Env: CLIENTS_PORT (default 8798), CONFORMANCE_DIR (default ../shared/conformance), CLAUDE_CODE_VERSION,
// CLIENTS_STEPS (comma-separated subset).
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cpSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { browserOAuth } from "./browser-oauth.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PORT = process.env.CLIENTS_PORT ?? "8798";
const BASE = `http://127.0.0.1:${PORT}`;
const CONFORMANCE_DIR = resolve(ROOT, process.env.CONFORMANCE_DIR ?? "../shared/conformance");
const CLAUDE_CODE_VERSION = process.env.CLAUDE_CODE_VERSION ?? "2.1.332";
const STEPS = (process.env.CLIENTS_STEPS ?? "browser-oauth,conformance,claude-code").split(",");
const scratch = mkdtempSync(join(tmpdir(), "cm-clients-"));

/**
 * A child process with a deadline: its whole process group is killed when the time is up.
 * @param {string} command @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs: number }} options
 * @returns {Promise<{ code: number | null, output: string, timedOut: boolean }>}
 */
function run(command, args, { cwd = ROOT, env = process.env, timeoutMs }) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, output, timedOut });
    });
  });
}

/** @template T @param {Promise<T>} promise @param {number} ms @param {string} what @returns {Promise<T>} */
function within(promise, ms, what) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no result in ${ms / 1000} s`)), ms)),
  ]);
}

async function startDev() {
  const dev = spawn("npm", ["run", "dev", "--", "--port", PORT], {
    cwd: ROOT,
    env: process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  dev.stdout.on("data", (d) => (output += d));
  dev.stderr.on("data", (d) => (output += d));
  let exited = false;
  dev.on("exit", () => (exited = true));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited || Date.now() > deadline) throw new Error(`npm run dev did not become healthy on ${BASE}:\n${output}`);
    try {
      if ((await fetch(`${BASE}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  if (!output.includes(`${BASE}/mcp`)) throw new Error(`the banner does not print the address served:\n${output}`);
  return {
    async stop() {
      try {
        if (dev.pid !== undefined) process.kill(-dev.pid, "SIGTERM");
      } catch {
        // already gone
      }
      for (const until = Date.now() + 20_000; Date.now() < until; await sleep(200)) {
        try {
          await fetch(`${BASE}/health`);
        } catch {
          return;
        }
      }
    },
  };
}

/** @param {string} token */
async function conformance(token) {
  if (!existsSync(join(CONFORMANCE_DIR, "run.sh"))) throw new Error(`no conformance suite at ${CONFORMANCE_DIR}`);
  const copy = join(scratch, "conformance");
  cpSync(CONFORMANCE_DIR, copy, { recursive: true, filter: (source) => !source.includes("node_modules") });
  chmodSync(copy, 0o755);
  for (const name of readdirSync(copy)) chmodSync(join(copy, name), 0o755);
  const result = await run("bash", [join(copy, "run.sh"), `${BASE}/mcp`, token, join(scratch, "conformance-out")], {
    cwd: copy,
    // The inspector calls one real tool: a write, so tools/call exercises the write path too.
    env: {
      ...process.env,
      CALL_TOOL: "coding_record_error",
      CALL_ARGS: JSON.stringify({
        project_id: "ci-conformance",
        error_type: "ConformanceCheck",
        message: "recorded by the MCP Inspector CLI",
      }),
    },
    timeoutMs: 600_000,
  });
  const lines = result.output.split("\n").filter((line) => /^(PASS|FAIL|SKIP) /.test(line));
  for (const line of lines.filter((l) => !l.startsWith("SKIP"))) console.log(`    ${line.slice(0, 160)}`);
  const summary = /(\d+) passed, (\d+) failed, (\d+) skipped/.exec(result.output)?.[0];
  if (result.timedOut) throw new Error(`timed out after 600 s; last output:\n${result.output.slice(-2000)}`);
  if (!summary || result.code !== 0)
    throw new Error(`${summary ?? "no summary"} (exit ${result.code})\n${result.output.slice(-3000)}`);
  return summary;
}

/** @param {string} token */
async function claudeCode(token) {
  const prefix = join(scratch, "claude-code");
  const home = join(scratch, "claude-home");
  mkdirSync(home, { recursive: true });
  const installed = await run(
    "npm",
    [
      "install",
      "--prefix",
      prefix,
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`,
    ],
    { timeoutMs: 300_000 },
  );
  const claude = join(prefix, "node_modules", ".bin", "claude");
  if (installed.code !== 0 || !existsSync(claude))
    throw new Error(`npm install failed:\n${installed.output.slice(-2000)}`);
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  };
  const opts = { cwd: home, env, timeoutMs: 60_000 };
  const url = `${BASE}/mcp`;
  for (const args of [
    ["mcp", "add", "--transport", "http", "cm-token", url, "--header", `Authorization: Bearer ${token}`],
    ["mcp", "add", "--transport", "http", "cm-oauth", url],
  ]) {
    const added = await run(claude, args, opts);
    if (added.code !== 0) throw new Error(`claude ${args.slice(0, 2).join(" ")} failed:\n${added.output}`);
  }
  const listed = await run(claude, ["mcp", "list"], { ...opts, timeoutMs: 120_000 });
  const line = (/** @type {string} */ name) => listed.output.split("\n").find((l) => l.startsWith(`${name}:`)) ?? "";
  console.log(`    ${line("cm-token")}\n    ${line("cm-oauth")}`);
  if (!/Connected/.test(line("cm-token"))) throw new Error(`with the token: ${line("cm-token") || listed.output}`);
  if (!/Needs authentication/i.test(line("cm-oauth")))
    throw new Error(`the bare URL: ${line("cm-oauth") || listed.output}`);
  const version = (await run(claude, ["--version"], opts)).output.trim();
  const hooks = await claudeCodeHooks(claude, env, token);
  return `${version}: token → Connected; bare URL → OAuth discovered (needs sign-in); ${hooks}`;
}

/**
 * `coding-memory init` in a fresh repository, then the real Claude Code reads what it wrote: `claude doctor`
 * must find no invalid settings, and `claude --init-only` (which runs the SessionStart and SessionEnd hooks and
 * exits, no model needed) must start and end a coding session on the server through our hooks.
 * @param {string} claude @param {NodeJS.ProcessEnv} claudeEnv @param {string} token
 */
async function claudeCodeHooks(claude, claudeEnv, token) {
  const repo = join(scratch, "hooked-repo");
  mkdirSync(repo, { recursive: true });
  spawnSync("git", ["init", "-q", repo]);
  spawnSync("git", [
    "-C",
    repo,
    "remote",
    "add",
    "origin",
    `https://github.com/e2e/hooks-${randomUUID().slice(0, 8)}.git`,
  ]);
  const env = {
    ...claudeEnv,
    XDG_STATE_HOME: join(scratch, "claude-state"),
    CODING_MEMORY_URL: BASE,
    CODING_MEMORY_TOKEN: token,
  };
  const init = await run(process.execPath, [join(ROOT, "src/cli/coding-memory.mjs"), "init"], {
    cwd: repo,
    env,
    timeoutMs: 60_000,
  });
  if (init.code !== 0) throw new Error(`coding-memory init failed:\n${init.output}`);
  const project = JSON.parse(readFileSync(join(repo, ".coding-memory.json"), "utf8")).project;
  const doctor = await run(claude, ["doctor"], { cwd: repo, env, timeoutMs: 120_000 });
  if (doctor.code !== 0 || /Invalid settings/i.test(doctor.output))
    throw new Error(`claude doctor on the written settings:\n${doctor.output.slice(-2000)}`);
  const session = await run(claude, ["--init-only"], { cwd: repo, env, timeoutMs: 120_000 });
  if (session.code !== 0) throw new Error(`claude --init-only failed:\n${session.output.slice(-2000)}`);
  const res = await fetch(`${BASE}/api/v1/projects/${project}/sessions`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const sessions = /** @type {{ items?: Array<{ status: string, tags: string[] }> }} */ (await res.json()).items ?? [];
  const hooked = sessions.filter((s) => s.tags.includes("claude-code"));
  if (hooked.length !== 1 || hooked[0]?.status !== "ended")
    throw new Error(`expected one ended claude-code session in ${project}, got ${JSON.stringify(sessions)}`);
  return `init → doctor finds the settings valid; --init-only ran SessionStart/SessionEnd: a session started and ended in ${project}`;
}

async function main() {
  const user = `e2e-${randomUUID().slice(0, 8)}`;
  const password = randomUUID();
  const account = spawnSync("npm", ["run", "-s", "account", "--", "create", "--user", user, "--password", password], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (account.status !== 0) throw new Error(`npm run account failed:\n${account.stdout}${account.stderr}`);
  const dev = await startDev();
  /** @type {Array<[string, boolean, string]>} */
  const results = [];
  try {
    const token = readFileSync(join(ROOT, ".wrangler", "dev-token"), "utf8").trim();
    /** @type {Record<string, () => Promise<string>>} */
    const steps = {
      "browser-oauth": () =>
        within(
          browserOAuth({ base: BASE, user, password, log: (l) => console.log(`    ${l}`) }),
          180_000,
          "browser-oauth",
        ),
      conformance: () => conformance(token),
      "claude-code": () => within(claudeCode(token), 600_000, "claude-code"),
    };
    for (const name of STEPS) {
      const step = steps[name];
      if (!step) throw new Error(`unknown step ${name}`);
      console.log(`--- ${name}`);
      const started = Date.now();
      try {
        const summary = await step();
        results.push([name, true, `${summary} (${((Date.now() - started) / 1000).toFixed(0)} s)`]);
      } catch (error) {
        results.push([name, false, String(/** @type {Error} */ (error)?.message ?? error)]);
      }
      const [, ok, text] = /** @type {[string, boolean, string]} */ (results.at(-1));
      console.log(`${ok ? "PASS" : "FAIL"}  ${name}: ${text}`);
    }
  } finally {
    await dev.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const failed = results.filter(([, ok]) => !ok).length;
  console.log(`clients: ${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(`FAIL  clients: ${error?.stack ?? error}`);
  rmSync(scratch, { recursive: true, force: true });
  process.exit(1);
});
