// Smoke test as a newcomer would run it: `npm run dev`, connect the MCP SDK client to the printed URL with the
// printed token, list and call tools; then restart `npm run dev` and check the data and token survived.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
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
  const unauthorized = await fetch(`${base}/mcp`, { method: "POST", body: "{}" });
  check(unauthorized.status === 401, `expected 401 without a token, got ${unauthorized.status}`);

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
