// Capture from Claude Code end to end: `coding-memory init` on a fresh repository, then the hook programs fed
// Claude Code's documented hook payloads (JSON on stdin) against `wrangler dev`, through a proxy that can make
// the server unreachable or lose its answers: what is stored, what is printed back, how long each hook takes, and
// the spool (events kept while the server is away, sent once, in order).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { startServer } from "../../bench/server.mjs";

const CLI = fileURLToPath(new URL("../../src/cli/coding-memory.mjs", import.meta.url));
const PYTEST_FAILURE = [
  "Exit code 1",
  "============================= test session starts ==============================",
  "collected 3 items",
  "tests/test_auth.py .F.                                                     [100%]",
  "=================================== FAILURES ===================================",
  "______________________________ test_token_expiry _______________________________",
  "    def test_token_expiry():",
  ">       assert token.expires_at > datetime.now()",
  "E       TypeError: can't compare offset-naive and offset-aware datetimes",
  "tests/test_auth.py:42: TypeError",
  "=========================== short test summary info ============================",
  "FAILED tests/test_auth.py::test_token_expiry - TypeError: can't compare offset-naive and offset-aware datetimes",
  "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "========================= 1 failed, 2 passed in 0.12s ==========================",
].join("\n");

/** @type {Awaited<ReturnType<typeof startServer>>} */ let server;
/** @type {import("node:http").Server} */ let proxy;
/** up: forward; down: refuse; lose: forward, then drop the answer of requests whose path matches `losing`. */
let mode = "up";
let losing = /./;
/** @type {string} */ let scratch;
/** @type {string} */ let repo;
/** @type {string} */ let url;
/** @type {Record<string, string | undefined>} */ let env;
/** @type {number[]} */ const timings = [];

before(async () => {
  // A free port, not a fixed one: another checkout's tests may be running on this machine.
  server = await startServer({ vars: { ALLOW_SIGNUP: "true" } });
  proxy = createServer((req, res) => {
    if (mode === "down") return req.socket.destroy();
    const upstream = request(`${server.base}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      if (mode === "lose" && losing.test(req.url ?? "")) {
        answer.resume();
        answer.on("end", () => req.socket.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise((resolve) => proxy.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = /** @type {import("node:net").AddressInfo} */ (proxy.address());
  url = `http://127.0.0.1:${address.port}`;
  scratch = mkdtempSync(join(tmpdir(), "cm-hooks-"));
  repo = join(scratch, "widget-worktree");
  mkdirSync(repo);
  spawnSync("git", ["init", "-q", repo]);
  spawnSync("git", ["-C", repo, "remote", "add", "origin", "git@github.com:Acme/Widget.git"]);
  env = {
    ...process.env,
    HOME: join(scratch, "home"),
    XDG_CONFIG_HOME: join(scratch, "config"),
    XDG_STATE_HOME: join(scratch, "state"),
    CODING_MEMORY_URL: url,
    CODING_MEMORY_TOKEN: server.token,
    CODING_MEMORY_PROJECT: undefined,
  };
});

after(async () => {
  proxy?.close();
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  if (timings.length) {
    const sorted = [...timings].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
    console.log(
      `hook process wall time over ${sorted.length} runs: p50 ${sorted[Math.floor(sorted.length / 2)]} ms, p95 ${p95} ms, max ${sorted.at(-1)} ms`,
    );
  }
});

/** The CLI as a subprocess in `cwd` (the test repository by default). @param {string[]} args @param {string} [stdin] */
function cli(args, stdin = "", cwd = repo) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
    child.stdin.end(stdin);
  });
}

/** @param {string} event @param {Record<string, unknown>} payload */
async function hook(event, payload) {
  const result = /** @type {{ code: number, stdout: string, stderr: string, ms: number }} */ (
    await cli(
      ["hook", event],
      JSON.stringify({
        session_id: "5f0c7a1e-claude",
        transcript_path: "/tmp/t.jsonl",
        cwd: repo,
        hook_event_name: event,
        ...payload,
      }),
    )
  );
  timings.push(result.ms);
  assert.equal(result.code, 0, result.stderr);
  return { ...result, json: result.stdout.trim() ? JSON.parse(result.stdout) : null };
}

const api = async (
  /** @type {string} */ method,
  /** @type {string} */ path,
  /** @type {unknown} */ body = undefined,
) => {
  const res = await fetch(`${server.base}/api/v1/projects/acme.widget${path}`, {
    method,
    headers: { Authorization: `Bearer ${server.token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return /** @type {any} */ (await res.json());
};

const failure = () => ({
  tool_name: "Bash",
  tool_input: { command: "pytest -q", description: "Run tests" },
  tool_use_id: "toolu_01",
  error: PYTEST_FAILURE,
});

describe("coding-memory init and the Claude Code hooks", () => {
  it("init writes the MCP server, the hooks and the project, idempotently; --dry-run writes nothing", async () => {
    const dry = /** @type {any} */ (await cli(["init", "--dry-run"]));
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would write .*\.mcp\.json/);
    assert.equal(existsSync(join(repo, ".mcp.json")), false);

    const first = /** @type {any} */ (await cli(["init"]));
    assert.equal(first.code, 0, first.stderr);
    const mcp = JSON.parse(readFileSync(join(repo, ".mcp.json"), "utf8"));
    assert.deepEqual(mcp.mcpServers["coding-memory"], { type: "http", url: `${url}/mcp` });
    const settings = JSON.parse(readFileSync(join(repo, ".claude/settings.local.json"), "utf8"));
    for (const event of ["SessionStart", "PostToolUseFailure", "PostToolUse", "Stop", "SessionEnd"]) {
      const [group] = settings.hooks[event];
      assert.equal(group.hooks[0].type, "command");
      assert.match(group.hooks[0].command, new RegExp(`coding-memory\\.mjs" hook ${event}$`));
      assert.equal(typeof group.hooks[0].timeout, "number");
    }
    assert.equal(settings.hooks.PostToolUseFailure[0].matcher, "Bash");
    // The project comes from the normalised remote, not the worktree's directory name.
    assert.equal(JSON.parse(readFileSync(join(repo, ".coding-memory.json"), "utf8")).project, "acme.widget");

    const again = /** @type {any} */ (await cli(["init"]));
    assert.match(again.stdout, /Already set up/);
    const status = /** @type {any} */ (await cli(["status", "--json"]));
    assert.equal(JSON.parse(status.stdout).project, "acme.widget");
  });

  it("a session: context in, a failure recorded, an edit tracked, the same failure answered with its fix, a digest", async () => {
    const start = await hook("SessionStart", { source: "startup" });
    assert.equal(start.json.hookSpecificOutput.hookEventName, "SessionStart");
    assert.match(start.json.hookSpecificOutput.additionalContext, /acme\.widget/);

    const first = await hook("PostToolUseFailure", failure());
    assert.equal(first.json, null, "nothing is known yet: nothing is said");
    const [error] = (await api("GET", "/errors")).items;
    assert.equal(error.error_type, "TypeError");
    assert.equal(error.occurrences, 1);
    // Redacted on the machine: the key never reached the server.
    assert.doesNotMatch(JSON.stringify(error), /wJalrXUtnFEMI/);

    await api("POST", "/decisions", {
      decision: "Keep every datetime timezone-aware (UTC)",
      rationale: "Naive and aware datetimes cannot be compared",
      related_files: ["src/auth.py"],
    });
    const editOf = (/** @type {string} */ file) =>
      hook("PostToolUse", {
        tool_name: "Edit",
        tool_input: {
          file_path: join(repo, file),
          old_string: "datetime.now()",
          new_string: "datetime.now(timezone.utc)",
        },
        tool_response: { filePath: join(repo, file) },
      });
    // The first edit of a file the team knows something about hands that back; the next edit of it does not.
    const edit = await editOf("src/auth.py");
    assert.equal(edit.json.hookSpecificOutput.hookEventName, "PostToolUse");
    assert.match(edit.json.hookSpecificOutput.additionalContext, /src\/auth\.py[\s\S]*Decision .*timezone-aware/);
    assert.equal((await editOf("src/auth.py")).json, null);

    await api("POST", `/errors/${error.error_id}/resolve`, { solution: "Use datetime.now(timezone.utc)." });
    const second = await hook("PostToolUseFailure", failure());
    assert.match(
      second.json.hookSpecificOutput.additionalContext,
      /seen 2 times.*fixed by: Use datetime\.now\(timezone\.utc\)/s,
    );

    // The failure's file now has a fix: its first edit hears of it.
    const testEdit = await editOf("tests/test_auth.py");
    assert.match(testEdit.json.hookSpecificOutput.additionalContext, /TypeError.*seen 2×.*fixed by: Use datetime\.now/);

    await hook("Stop", { stop_hook_active: false });
    await hook("SessionEnd", { reason: "prompt_input_exit" });
    const [session] = (await api("GET", "/sessions")).items;
    assert.equal(session.status, "ended");
    // The session holds the turn's change and the failure (recorded twice, one error), and its digest says so.
    const changes = (await api("GET", "/changes")).items.filter(
      (/** @type {any} */ c) => c.session_id === session.session_id,
    );
    assert.deepEqual(
      changes.map((/** @type {any} */ c) => [c.file_path, c.action]),
      [
        ["tests/test_auth.py", "edit"],
        ["src/auth.py", "edit"],
        ["src/auth.py", "edit"],
      ],
    );
    const [recorded] = (await api("GET", "/errors")).items;
    assert.equal(recorded.session_id, session.session_id);
    assert.equal(recorded.occurrences, 2);
    assert.match(session.summary ?? "", /1 file|src\/auth\.py/);
  });

  it("keeps events while the server is away and sends each once, in order, when it is back", async () => {
    mode = "down";
    await hook("PostToolUse", {
      tool_name: "Write",
      tool_input: { file_path: join(repo, "src/new.py"), content: "print(1)\n" },
      tool_response: { type: "create", filePath: join(repo, "src/new.py") },
    });
    const down = await hook("PostToolUseFailure", {
      ...failure(),
      error: PYTEST_FAILURE.replace("test_token_expiry", "test_refresh"),
    });
    assert.equal(down.json, null);
    assert.ok(down.ms < 5_000, `a hook returns within its deadline (${down.ms} ms)`);
    const waiting = JSON.parse(/** @type {any} */ (await cli(["status", "--json"])).stdout);
    assert.equal(waiting.spooled, 2);

    // The server takes each event but its answer is lost: the event stays and is sent again later, with the
    // same key, and the server answers it without writing it again. First the change's answer is lost, then the
    // capture's.
    mode = "lose";
    losing = /\/changes/;
    await hook("Stop", {});
    losing = /\/errors\/capture/;
    await hook("Stop", {});
    assert.equal(JSON.parse(/** @type {any} */ (await cli(["status", "--json"])).stdout).spooled, 1);
    mode = "up";
    await hook("Stop", {});
    assert.equal(JSON.parse(/** @type {any} */ (await cli(["status", "--json"])).stdout).spooled, 0);
    const errors = (await api("GET", "/errors")).items;
    const refresh = errors.filter((/** @type {any} */ e) => /test_refresh/.test(e.message));
    assert.equal(refresh.length, 1);
    assert.equal(refresh[0].occurrences, 1, "the replayed capture was not counted twice");
    const created = (await api("GET", "/changes?limit=100")).items.filter(
      (/** @type {any} */ c) => c.file_path === "src/new.py",
    );
    assert.equal(created.length, 1, "the replayed change was not tracked twice");
    assert.equal(created[0].action, "create");
  });

  it("the workflow from a terminal: start, search, context, errors, decisions, patterns, costs, end", async () => {
    const run = async (/** @type {string[]} */ args) => {
      const result = /** @type {{ code: number, stdout: string, stderr: string }} */ (await cli(args));
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
      return result.stdout;
    };
    assert.match(await run(["start", "fix", "the", "token", "expiry"]), /fix the token expiry/);
    const found = await run(["search", "TypeError: can't compare offset-naive and offset-aware datetimes"]);
    assert.match(found, /TypeError/);
    assert.match(found, /datetime\.now\(timezone\.utc\)/, "the fix comes with the match");
    const json = JSON.parse(await run(["search", "offset-naive datetimes", "--json", "--k", "2"]));
    assert.ok(json.results.length >= 1 && json.results.length <= 2);
    assert.match(await run(["context"]), /acme\.widget/);
    const errors = await run(["errors", "--resolved"]);
    assert.match(errors.split("\n")[0] ?? "", /^id\s+type\s+message/);
    assert.match(errors, /TypeError.*Use datetime\.now/);
    const decisions = await run(["decisions"]);
    assert.match(decisions.split("\n")[0] ?? "", /^id\s+date\s+decision\s+rationale/);
    assert.match(decisions, /Keep every datetime timezone-aware/);
    assert.ok((await run(["patterns"])).length > 0);
    assert.match(await run(["costs"]), /\$|cost/i);
    assert.match(await run(["end", "--success"]), /ended|Session/i);
    const bad = /** @type {{ code: number, stderr: string }} */ (await cli(["search"]));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Usage: coding-memory search/);
  });

  it("Cursor: init writes its MCP config, hooks and rules; its hook payloads record a session", async () => {
    const cursorRepo = join(scratch, "cursor-app");
    mkdirSync(cursorRepo);
    spawnSync("git", ["init", "-q", cursorRepo]);
    spawnSync("git", ["-C", cursorRepo, "remote", "add", "origin", "https://gitlab.com/acme/cursor-app.git"]);
    const inRepo = (/** @type {string[]} */ args, /** @type {string} */ stdin = "") => cli(args, stdin, cursorRepo);
    const init = /** @type {any} */ (await inRepo(["init", "--client", "cursor", "--client", "vscode"]));
    assert.equal(init.code, 0, init.stderr);
    const hooks = JSON.parse(readFileSync(join(cursorRepo, ".cursor/hooks.json"), "utf8"));
    assert.equal(hooks.version, 1);
    for (const event of ["sessionStart", "postToolUse", "afterFileEdit", "stop", "sessionEnd"]) {
      assert.match(hooks.hooks[event][0].command, new RegExp(` hook ${event} --client cursor$`));
    }
    assert.equal(hooks.hooks.postToolUse[0].matcher, "Shell");
    assert.deepEqual(
      JSON.parse(readFileSync(join(cursorRepo, ".cursor/mcp.json"), "utf8")).mcpServers["coding-memory"],
      {
        url: `${url}/mcp`,
      },
    );
    assert.deepEqual(JSON.parse(readFileSync(join(cursorRepo, ".vscode/mcp.json"), "utf8")).servers["coding-memory"], {
      type: "http",
      url: `${url}/mcp`,
    });
    const rules = readFileSync(join(cursorRepo, ".cursor/rules/coding-memory.mdc"), "utf8");
    assert.match(rules, /^---\ndescription: .+\nalwaysApply: true\n---\n/);
    assert.match(rules, /coding_search_errors/);

    const cursorHook = async (/** @type {string} */ event, /** @type {Record<string, unknown>} */ payload) => {
      const base = {
        conversation_id: "c0ffee-conv",
        generation_id: "g1",
        hook_event_name: event,
        cursor_version: "2.3.0",
        workspace_roots: [cursorRepo],
      };
      const result = /** @type {any} */ (
        await inRepo(["hook", event, "--client", "cursor"], JSON.stringify({ ...base, ...payload }))
      );
      timings.push(result.ms);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout.trim() ? JSON.parse(result.stdout) : null;
    };
    const start = await cursorHook("sessionStart", {
      session_id: "c0ffee-conv",
      is_background_agent: false,
      composer_mode: "agent",
    });
    assert.match(start.additional_context, /acme\.cursor-app/);
    const shell = (/** @type {number} */ exitCode) => ({
      tool_name: "Shell",
      tool_input: { command: "pytest -q", working_directory: cursorRepo },
      tool_output: JSON.stringify({ exitCode, stdout: PYTEST_FAILURE.replace(/^Exit code 1\n/, "") }),
      tool_use_id: "t1",
      cwd: cursorRepo,
      duration: 900,
    });
    assert.equal(await cursorHook("postToolUse", shell(0)), null, "a passing command records nothing");
    assert.equal(await cursorHook("postToolUse", shell(1)), null);
    await cursorHook("afterFileEdit", {
      file_path: join(cursorRepo, "app/auth.py"),
      edits: [{ old_string: "a", new_string: "b" }],
    });
    await cursorHook("stop", { status: "completed", loop_count: 0 });
    await cursorHook("sessionEnd", {});
    const project = (/** @type {string} */ path) =>
      fetch(`${server.base}/api/v1/projects/acme.cursor-app${path}`, {
        headers: { Authorization: `Bearer ${server.token}` },
      }).then((res) => /** @type {Promise<any>} */ (res.json()));
    const [session] = (await project("/sessions")).items;
    assert.equal(session.status, "ended");
    assert.deepEqual(session.tags, ["cursor"]);
    const [error] = (await project("/errors")).items;
    assert.equal(error.error_type, "TypeError");
    assert.equal(error.session_id, session.session_id);
    assert.deepEqual(error.tags.sort(), ["cursor", "pytest"]);
    const [change] = (await project("/changes")).items;
    assert.deepEqual([change.file_path, change.session_id], ["app/auth.py", session.session_id]);

    const removed = /** @type {any} */ (await inRepo(["uninstall"]));
    assert.equal(removed.code, 0, removed.stderr);
    for (const file of [
      ".cursor/hooks.json",
      ".cursor/mcp.json",
      ".cursor/rules/coding-memory.mdc",
      ".vscode/mcp.json",
    ]) {
      assert.equal(existsSync(join(cursorRepo, file)), false, file);
    }
  });

  it("login: OAuth in the browser (here a scripted one), then the CLI's own token in the user config", async () => {
    const home = join(scratch, "login-home");
    const loginEnv = {
      ...env,
      XDG_CONFIG_HOME: join(home, "config"),
      CODING_MEMORY_TOKEN: undefined,
      CODING_MEMORY_URL: undefined,
    };
    /** What a user's browser does: open the sign-in page, create an account, allow; the redirect's address. */
    const signIn = async (/** @type {string} */ authorizationUrl, /** @type {string} */ user) => {
      const page = await fetch(authorizationUrl, { redirect: "manual" });
      const html = await page.text();
      assert.equal(page.status, 200, html.slice(0, 300));
      const cookie = (page.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
      const hidden = Object.fromEntries(
        [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
          m[1],
          m[2]?.replace(/&amp;/g, "&"),
        ]),
      );
      const checked = /name="scope" value="([^"]+)" checked/.exec(html)?.[1];
      assert.equal(checked, "memory:read memory:write admin", "the login asks for admin, once, to mint its token");
      const form = new URLSearchParams({
        ...hidden,
        scope: checked ?? "",
        user,
        password: "correct horse battery staple",
        action: "signup",
      });
      const allowed = await fetch(new URL("/authorize", authorizationUrl), {
        method: "POST",
        redirect: "manual",
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...(cookie ? { Cookie: cookie } : {}) },
        body: form,
      });
      assert.equal(allowed.status, 302, await allowed.text());
      return /** @type {string} */ (allowed.headers.get("location"));
    };
    const runLogin = (
      /** @type {string[]} */ args,
      /** @type {(url: string, child: import("node:child_process").ChildProcess) => Promise<void>} */ act,
    ) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, "login", "--url", server.base, ...args], {
          cwd: repo,
          env: loginEnv,
        });
        let stdout = "";
        let stderr = "";
        let acted = false;
        child.stdout.on("data", (d) => {
          stdout += d;
          const url = /\n {2}(http\S+)\n/.exec(stdout)?.[1];
          if (url && !acted) {
            acted = true;
            act(url, child).catch(reject);
          }
        });
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });

    // The browser follows the redirect to the CLI's loopback server.
    const viaLoopback = /** @type {any} */ (
      await runLogin(["--no-browser"], async (url, child) => {
        const location = await signIn(url, `cli-${Date.now()}`);
        const landed = await fetch(location);
        assert.match(await landed.text(), /Signed in/);
        child.stdin?.end();
      })
    );
    assert.equal(viaLoopback.code, 0, viaLoopback.stderr + viaLoopback.stdout);
    const saved = JSON.parse(readFileSync(join(home, "config/coding-memory/config.json"), "utf8"));
    assert.equal(saved.url, server.base);
    assert.match(saved.token, /^cm_/);
    const listed = await fetch(`${server.base}/api/v1/tokens`, { headers: { Authorization: `Bearer ${saved.token}` } });
    assert.equal(listed.status, 403, "the saved token reads and writes memory, it does not administer");
    const write = await fetch(`${server.base}/api/v1/projects/login-check/errors`, {
      method: "POST",
      headers: { Authorization: `Bearer ${saved.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ error_type: "E", message: "written with the CLI's token" }),
    });
    assert.equal(write.status, 201);

    // No browser on this machine: the address the browser ended on is pasted back instead.
    const viaPaste = /** @type {any} */ (
      await runLogin(["--no-browser"], async (url, child) => {
        const location = await signIn(url, `paste-${Date.now()}`);
        child.stdin?.write(`${location}\n`);
      })
    );
    assert.equal(viaPaste.code, 0, viaPaste.stderr + viaPaste.stdout);
    assert.notEqual(
      JSON.parse(readFileSync(join(home, "config/coding-memory/config.json"), "utf8")).token,
      saved.token,
    );
  });

  it("uninstall removes what init added", async () => {
    writeFileSync(
      join(repo, ".mcp.json"),
      JSON.stringify({
        mcpServers: {
          other: { type: "http", url: "https://x.example/mcp" },
          "coding-memory": { type: "http", url: `${url}/mcp` },
        },
      }),
    );
    const removed = /** @type {any} */ (await cli(["uninstall"]));
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(join(repo, ".mcp.json"), "utf8")).mcpServers), ["other"]);
    assert.equal(existsSync(join(repo, ".claude/settings.local.json")), false);
  });
});
