// Bench: each capture hook as Claude Code runs it (a process fed the event's JSON on stdin) through `wrangler
// dev`, and with the server unreachable (events go to the spool), beside the cost of starting Node and of loading
// the CLI, measured in the same run. Target (issue 19): every hook p95 ≤ 300 ms, none past its deadline.
// Usage: npm run bench:hooks [-- --runs 30]
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { quantile, startServer } from "./server.mjs";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "30" }, port: { type: "string", default: "8793" } },
});
const RUNS = Number(values.runs);
const CLI = fileURLToPath(new URL("../src/cli/coding-memory.mjs", import.meta.url));
const FAILURE = [
  "Exit code 1",
  "=================================== FAILURES ===================================",
  "______________________________ test_token_expiry _______________________________",
  ">       assert token.expires_at > datetime.now()",
  "E       TypeError: can't compare offset-naive and offset-aware datetimes",
  "tests/test_auth.py:42: TypeError",
  "FAILED tests/test_auth.py::test_token_expiry - TypeError: can't compare offset-naive and offset-aware datetimes",
].join("\n");

/** @param {string[]} args @param {string} stdin @param {NodeJS.ProcessEnv} env @param {string} cwd */
function timed(args, stdin, env, cwd) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["pipe", "ignore", "ignore"] });
    child.on("close", () => resolve(performance.now() - started));
    child.stdin.end(stdin);
  });
}

/** @param {number[]} ms */
const dist = (ms) =>
  `p50 ${quantile(ms, 0.5).toFixed(0)} ms, p95 ${quantile(ms, 0.95).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms`;

const server = await startServer({ port: values.port });
const scratch = mkdtempSync(join(tmpdir(), "cm-bench-hooks-"));
const repo = join(scratch, "repo");
mkdirSync(repo);
spawnSync("git", ["init", "-q", repo]);
spawnSync("git", ["-C", repo, "remote", "add", "origin", "https://github.com/bench/hooks.git"]);
const base = {
  XDG_CONFIG_HOME: join(scratch, "config"),
  XDG_STATE_HOME: join(scratch, "state"),
  CODING_MEMORY_TOKEN: server.token,
};
const up = { ...process.env, ...base, CODING_MEMORY_URL: server.base };
// Nothing listens on port 9: every request is refused at once, as for a server that is down.
const down = { ...process.env, ...base, CODING_MEMORY_URL: "http://127.0.0.1:9" };
spawnSync(process.execPath, [CLI, "init"], { cwd: repo, env: up });

const payload = (/** @type {string} */ event, /** @type {Record<string, unknown>} */ extra) =>
  JSON.stringify({
    session_id: "bench-session",
    transcript_path: "/tmp/t",
    cwd: repo,
    hook_event_name: event,
    ...extra,
  });
const events = [
  ["SessionStart", { source: "startup" }],
  ["PostToolUseFailure", { tool_name: "Bash", tool_input: { command: "pytest -q" }, tool_use_id: "t", error: FAILURE }],
  [
    "PostToolUse",
    {
      tool_name: "Edit",
      tool_input: { file_path: join(repo, "src/a.py"), old_string: "a", new_string: "b" },
      tool_response: { filePath: join(repo, "src/a.py") },
    },
  ],
  ["Stop", { stop_hook_active: false }],
  ["SessionEnd", { reason: "other" }],
];

try {
  console.log(`Coding Memory hooks bench — ${RUNS} runs each, wrangler dev, ${new Date().toISOString()}`);
  const baselines = {
    "node -e 0 (Node's start)": () => timed(["-e", "0"], "", up, repo),
    "coding-memory --help (Node + the CLI's modules)": () => timed([CLI, "--help"], "", up, repo),
  };
  for (const [name, run] of Object.entries(baselines)) {
    const ms = [];
    for (let i = 0; i < RUNS; i++) ms.push(await run());
    console.log(`  baseline ${name}: ${dist(ms)}`);
  }
  let worst = 0;
  for (const [label, env] of [
    ["server up", up],
    ["server unreachable (spooled)", down],
  ]) {
    for (const [event, extra] of events) {
      const ms = [];
      for (let i = 0; i < RUNS; i++) {
        // A session per run: each SessionStart starts one (ending the previous), as a new editor session does.
        ms.push(
          await timed(
            [CLI, "hook", /** @type {string} */ (event)],
            payload(/** @type {string} */ (event), /** @type {any} */ (extra)),
            /** @type {NodeJS.ProcessEnv} */ (env),
            repo,
          ),
        );
      }
      worst = Math.max(worst, quantile(ms, 0.95));
      console.log(`  ${String(event).padEnd(18)} ${String(label).padEnd(28)} ${dist(ms)}`);
    }
  }
  console.log(
    `target (every hook p95 ≤ 300 ms): ${worst <= 300 ? "met" : "NOT met"} (worst p95 ${worst.toFixed(0)} ms)`,
  );
} finally {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
