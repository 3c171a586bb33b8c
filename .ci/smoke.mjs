// Smoke test as a newcomer would run it: `npm run dev`, connect the MCP SDK client to the printed URL with the
// printed token, list and call tools; then restart `npm run dev` and check the data and token survived.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

const PORT = process.env.SMOKE_PORT ?? "8799";
const base = `http://127.0.0.1:${PORT}`;

async function startDev() {
  const dev = spawn("npm", ["run", "dev"], {
    env: { ...process.env, PORT },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  dev.stdout.on("data", (d) => (output += d));
  dev.stderr.on("data", (d) => (output += d));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`npm run dev did not become healthy:\n${output}`);
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  return {
    output: () => output,
    async stop() {
      try {
        if (dev.pid !== undefined) process.kill(-dev.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const until = Date.now() + 30_000;
      while (Date.now() < until) {
        try {
          await fetch(`${base}/health`);
          await sleep(200);
        } catch {
          return;
        }
      }
    },
  };
}

/**
 * Sign-up is off in wrangler.toml (what a deploy ships) and on under `npm run dev`, which writes it to .dev.vars:
 * the sign-in page of the local server offers "Create account".
 */
async function smokeSignupPage() {
  const registered = await fetch(`${base}/oauth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      client_name: "smoke",
      redirect_uris: ["http://localhost:33418/callback"],
      token_endpoint_auth_method: "none",
    }),
  });
  const { client_id: clientId } = /** @type {{ client_id: string }} */ (await registered.json());
  const page = await fetch(
    `${base}/authorize?${new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: "http://localhost:33418/callback",
      state: "s",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    })}`,
  );
  const html = await page.text();
  check(page.ok && html.includes('value="signup"'), `npm run dev does not offer sign-up (${page.status})`);
}

/** @param {string} token */
async function connect(token) {
  const client = new Client({ name: "ci-smoke", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

/**
 * The command-line client on a git repository: the first run uploads every indexable file that .gitignore
 * keeps, the second only what changed (and deletes what is gone), the third nothing.
 * @param {string} token
 */
async function smokeCli(token) {
  const repo = mkdtempSync(join(tmpdir(), "cm-smoke-repo-"));
  const write = (/** @type {string} */ path, /** @type {string} */ text) => {
    mkdirSync(join(repo, path, ".."), { recursive: true });
    writeFileSync(join(repo, path), text);
  };
  try {
    spawnSync("git", ["init", "-q"], { cwd: repo });
    write(".gitignore", "generated/\n");
    write(
      "src/app.ts",
      'import { helper } from "./lib/helper";\nimport { util } from "./lib/util";\nimport notes from "./notes.md";\n' +
        "helper(util, notes);\n",
    );
    write("src/notes.md", "# imported as text: an asset, not code\n");
    write("tsconfig.json", '{ "compilerOptions": { "strict": true } }\n');
    write("src/lib/helper.ts", 'import { util } from "./util";\nexport const helper = (x: unknown) => util(x);\n');
    write("src/lib/util.ts", "export const util = (x: unknown) => x;\n");
    write("generated/big.js", 'import "../src/app";\n');
    write("tools/report.py", "from tools import shared\n");
    write("tools/shared.py", "");
    write("tools/__init__.py", "");
    const cliProject = `${project}-cli`;
    const run = (json = true) => {
      const args = ["src/cli/coding-memory.mjs", "index", repo, ...(json ? ["--json"] : [])];
      const result = spawnSync(process.execPath, args, {
        env: { ...process.env, CODING_MEMORY_URL: base, CODING_MEMORY_TOKEN: token, CODING_MEMORY_PROJECT: cliProject },
        encoding: "utf8",
      });
      check(result.status === 0, `coding-memory index failed: ${result.stderr}${result.stdout}`);
      return json ? JSON.parse(result.stdout) : result.stdout;
    };
    const first = run();
    // `from tools import shared` binds the submodule only: 4 edges, not one more to tools/__init__.py.
    check(
      first.uploaded === 7 &&
        first.graph?.internal_edges === 4 &&
        first.graph?.files === 6 &&
        first.graph?.config_files === 1 &&
        first.graph?.asset_imports === 1 &&
        first.graph?.unresolved_imports === 0,
      `first index: ${JSON.stringify(first)}`,
    );
    const client = await connect(token);
    const deps = await client.callTool({
      name: "coding_analyze_file_dependencies",
      arguments: { project_id: cliProject, file_path: "src/lib/util.ts" },
    });
    const imported = /** @type {{ imported_by?: string[] }} */ (deps.structuredContent ?? {}).imported_by;
    check(
      JSON.stringify(imported) === JSON.stringify(["src/app.ts", "src/lib/helper.ts"]),
      `dependencies after the CLI index: ${JSON.stringify(deps.content)}`,
    );
    write("src/lib/helper.ts", "export const helper = (x: unknown) => x;\n");
    rmSync(join(repo, "tools/shared.py"));
    const second = run();
    check(
      second.uploaded === 1 && second.deleted === 1 && second.unchanged === 5,
      `re-index: ${JSON.stringify(second)}`,
    );
    const third = run();
    check(third.uploaded === 0 && third.deleted === 0, `third index should be a no-op: ${JSON.stringify(third)}`);
    const impact = await client.callTool({
      name: "coding_analyze_refactor_impact",
      arguments: { project_id: cliProject, file_path: "src/lib/util.ts" },
    });
    check(
      /** @type {{ affected_count?: number }} */ (impact.structuredContent ?? {}).affected_count === 1,
      `impact after the re-index: ${JSON.stringify(impact.content)}`,
    );
    await client.close();
    // The plain-text report tells config files from graph nodes and assets from broken imports.
    write("src/lib/util.ts", "export const util = (x: unknown) => x ?? null;\n");
    const text = run(false);
    for (const expected of [
      "Indexed 1 file (5 unchanged, 0 deleted)",
      "6 files in the index: 5 source files in the import graph and 1 config file (tsconfig/package.json",
      "0 unresolved relative imports (no indexed file); 1 asset import (.md, .wasm, .css…: not code",
    ]) {
      check(text.includes(expected), `plain-text index report lacks "${expected}":\n${text}`);
    }

    // Outside git, the client reads .gitignore files itself (nested ones apply below their directory).
    const plain = mkdtempSync(join(tmpdir(), "cm-smoke-plain-"));
    try {
      mkdirSync(join(plain, "ignored"));
      mkdirSync(join(plain, "sub"));
      writeFileSync(join(plain, ".gitignore"), "ignored/\n");
      writeFileSync(join(plain, "sub/.gitignore"), "*.gen.ts\n");
      for (const path of ["a.ts", "ignored/b.ts", "sub/c.ts", "sub/d.gen.ts", "README.md", "package.json"]) {
        writeFileSync(join(plain, path), path.endsWith(".json") ? "{}" : "export {};\n");
      }
      const result = spawnSync(process.execPath, ["src/cli/coding-memory.mjs", "index", plain, "--dry-run", "--json"], {
        env: {
          ...process.env,
          CODING_MEMORY_URL: base,
          CODING_MEMORY_TOKEN: token,
          CODING_MEMORY_PROJECT: `${cliProject}-plain`,
        },
        encoding: "utf8",
      });
      const dry = JSON.parse(result.stdout || "{}");
      check(
        JSON.stringify(dry.changed) === JSON.stringify(["a.ts", "package.json", "sub/c.ts"]),
        `.gitignore outside git: ${result.stderr}${result.stdout}`,
      );
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    console.log(
      `smoke: coding-memory index uploaded ${first.uploaded}, then ${second.uploaded} changed + ${second.deleted} deleted`,
    );
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}

/**
 * A rendered Python traceback read by `coding-memory screenshot --record` (local OCR), recorded with the right
 * type, file and line; with --text-only no image is uploaded.
 * @param {string} token
 */
async function smokeScreenshot(token) {
  const { renderTextPng } = await import("../test/support/render-text.mjs");
  const lines = [
    "Traceback (most recent call last):",
    '  File "/home/dev/shop/app/main.py", line 12, in <module>',
    "    total = parse_total(raw)",
    '  File "/home/dev/shop/app/pricing.py", line 41, in parse_total',
    "    return Decimal(value)",
    "ValueError: invalid literal for Decimal: 'twelve'",
  ];
  const dir = mkdtempSync(join(tmpdir(), "cm-smoke-shot-"));
  const file = join(dir, "traceback.png");
  writeFileSync(file, await renderTextPng(lines.join("\n")));
  try {
    const env = {
      ...process.env,
      CODING_MEMORY_URL: base,
      CODING_MEMORY_TOKEN: token,
      CODING_MEMORY_PROJECT: `${project}-shot`,
    };
    let errorId = "";
    for (const extra of [[], ["--text-only"]]) {
      const result = spawnSync(
        process.execPath,
        ["src/cli/coding-memory.mjs", "screenshot", file, "--record", "--json", ...extra],
        {
          env,
          encoding: "utf8",
        },
      );
      check(result.status === 0, `coding-memory screenshot failed: ${result.stderr}`);
      const { recorded } = JSON.parse(result.stdout);
      check(
        recorded?.error_type === "ValueError" &&
          String(recorded?.message).includes("invalid literal for Decimal") &&
          String(recorded?.file_path).endsWith("app/pricing.py") &&
          recorded?.line_number === 41 &&
          recorded?.recurring === extra.length > 0,
        `screenshot recorded as ${JSON.stringify(recorded)}`,
      );
      check(Boolean(recorded.screenshot) === (extra.length === 0), "--text-only must not upload the image");
      errorId = recorded.error_id;
    }
    // Once fixed, the plain-text output of the next occurrence shows the fix the server sent with it.
    const fix = "Strip currency words before Decimal(); validate with a regex first";
    const resolve = () =>
      fetch(`${base}/api/v1/projects/${project}-shot/errors/${errorId}/resolve`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ solution: fix }),
      });
    // The OCR runs above keep this process's pooled connection idle long enough for the server to close it;
    // resolving is idempotent, so a request that met a closed connection is sent again.
    const resolved = await resolve().catch(resolve);
    check(resolved.ok, `resolving the screenshot's error: ${resolved.status} ${await resolved.text()}`);
    const plain = spawnSync(
      process.execPath,
      ["src/cli/coding-memory.mjs", "screenshot", file, "--record", "--text-only"],
      {
        env,
        encoding: "utf8",
      },
    );
    check(
      plain.status === 0 && plain.stdout.includes(`Known fix from last time: ${fix}`),
      `plain-text screenshot --record must print the known fix:\n${plain.stderr}${plain.stdout}`,
    );
    console.log("smoke: coding-memory screenshot read a rendered traceback and recorded it");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `coding-memory diagram`: a Markdown file's Mermaid block parsed by the server into components, connections and
 * a pattern (kept as a decision); an image is refused with what to send when no vision model is configured.
 * @param {string} token
 */
async function smokeDiagram(token) {
  const { renderDiagramPng } = await import("../test/support/render-text.mjs");
  const dir = mkdtempSync(join(tmpdir(), "cm-smoke-diagram-"));
  try {
    const markdown = join(dir, "ARCHITECTURE.md");
    writeFileSync(
      markdown,
      [
        "# Shop",
        "",
        "```mermaid",
        "flowchart LR",
        "  web[Web App] --> gw[API Gateway]",
        "  gw --> orders[Order Service] --> odb[(Orders DB)]",
        "  gw --> pay[Payment Service] --> pdb[(Payments DB)]",
        "  gw --> users[User Service] --> udb[(Users DB)]",
        "```",
      ].join("\n"),
    );
    const env = {
      ...process.env,
      CODING_MEMORY_URL: base,
      CODING_MEMORY_TOKEN: token,
      CODING_MEMORY_PROJECT: `${project}-arch`,
    };
    const run = (/** @type {string[]} */ args) => {
      const result = spawnSync(process.execPath, ["src/cli/coding-memory.mjs", "diagram", ...args, "--json"], {
        env,
        encoding: "utf8",
      });
      check(result.status === 0, `coding-memory diagram ${args.join(" ")} failed: ${result.stderr}`);
      return JSON.parse(result.stdout);
    };
    const parsed = run([markdown, "--title", "Shop", "--decision"]);
    check(
      parsed.pattern === "microservices" && parsed.components.length === 8 && parsed.connections.length === 7,
      `diagram parsed as ${JSON.stringify(parsed)}`,
    );
    check(Boolean(parsed.decision_id), "--decision must record a decision");
    // An image with no vision model configured: refused with what to send instead, nothing stored.
    const image = join(dir, "whiteboard.png");
    writeFileSync(image, Buffer.from(await renderDiagramPng([{ id: "a", label: "API", x: 20, y: 20 }], [])));
    const refused = spawnSync(process.execPath, ["src/cli/coding-memory.mjs", "diagram", image], {
      env,
      encoding: "utf8",
    });
    check(
      refused.status !== 0 && refused.stderr.includes("diagram_source"),
      `image without a vision model: ${refused.stderr}`,
    );
    console.log(
      `smoke: coding-memory diagram parsed a Mermaid block (${parsed.pattern}); an image without a vision model was refused`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let checks = 0;
/** @param {boolean} condition @param {string} message */
function check(condition, message) {
  if (!condition) throw new Error(message);
  checks += 1;
}

const project = `smoke-${Date.now()}`;
let dev = await startDev();
try {
  const token = readFileSync(".wrangler/dev-token", "utf8").trim();
  check(dev.output().includes(token), "npm run dev did not print the token");
  check(dev.output().includes(`claude mcp add --transport http coding-memory ${base}/mcp`), "no claude mcp add line");
  check(dev.output().includes('"mcpServers"'), "no Cursor mcp.json snippet");

  const client = await connect(token);
  const { tools } = await client.listTools();
  console.log(`smoke: ${tools.length} tools over HTTP: ${tools.map((t) => t.name).join(", ")}`);
  check(tools.length >= 9, "expected at least 9 tools");
  const recorded = await client.callTool({
    name: "coding_record_error",
    arguments: {
      project_id: project,
      error_type: "TypeError",
      message: "can't compare offset-naive and offset-aware datetimes",
      solution: "Use aware datetimes",
    },
  });
  check(!recorded.isError, `record failed: ${JSON.stringify(recorded.content)}`);
  await client.close();
  // The queue consumer builds the error's vector in the background; it must do so under `npm run dev`.
  let indexStatus = {};
  for (let attempt = 0; attempt < 100; attempt++) {
    const res = await fetch(`${base}/api/v1/projects/${project}/errors/index-status`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    indexStatus = await res.json();
    if (/** @type {{ indexed?: number }} */ (indexStatus).indexed === 1) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  check(
    /** @type {{ indexed?: number }} */ (indexStatus).indexed === 1,
    `the error was not vector-indexed: ${JSON.stringify(indexStatus)}`,
  );
  await smokeCli(token);
  await smokeScreenshot(token);
  await smokeDiagram(token);
  // OAuth discovery for remote clients (claude mcp add --transport http <url>/mcp) works under npm run dev.
  const metadata = await fetch(`${base}/.well-known/oauth-authorization-server`);
  const issuer = /** @type {{ registration_endpoint?: string }} */ (await metadata.json());
  check(metadata.ok && typeof issuer.registration_endpoint === "string", "no OAuth authorization-server metadata");
  const unauthorized = await fetch(`${base}/mcp`, { method: "POST", body: "{}" });
  check(unauthorized.status === 401, `expected 401 without a token, got ${unauthorized.status}`);
  await smokeSignupPage();

  await dev.stop();
  dev = await startDev();
  const again = await connect(token);
  const found = await again.callTool({
    name: "coding_search_errors",
    arguments: { project_id: project, query: "comparing naive and aware datetimes" },
  });
  const data =
    /** @type {{ results?: Array<{ solution: string, signals: { vector: number | null } }>, vector_search?: { state: string } }} */ (
      found.structuredContent ?? {}
    );
  const results = data.results ?? [];
  check(
    results[0]?.solution === "Use aware datetimes",
    `data did not survive a restart: ${JSON.stringify(found.content)}`,
  );
  check(
    data.vector_search?.state === "used" && (results[0]?.signals.vector ?? 0) > 0,
    `the vector index did not survive a restart: ${JSON.stringify(found.structuredContent)}`,
  );
  await again.close();
  console.log(`smoke: ${checks} passed, 0 failed`);
} finally {
  await dev.stop();
}
