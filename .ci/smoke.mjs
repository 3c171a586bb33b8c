// Smoke test: start `npm run dev` as a newcomer would, then list the tools over HTTP with the MCP SDK client.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

const PORT = process.env.SMOKE_PORT ?? "8799";
const base = `http://127.0.0.1:${PORT}`;
const dev = spawn("npm", ["run", "dev"], {
  env: { ...process.env, PORT },
  stdio: ["ignore", "pipe", "pipe"],
  detached: true,
});
let output = "";
dev.stdout.on("data", (d) => (output += d));
dev.stderr.on("data", (d) => (output += d));

function stop() {
  try {
    if (dev.pid !== undefined) process.kill(-dev.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

try {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`npm run dev did not become healthy:\n${output}`);
    try {
      const res = await fetch(`${base}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  const token = readFileSync(".wrangler/dev-token", "utf8").trim();
  if (!output.includes(token) || !output.includes("claude mcp add --transport http")) {
    throw new Error(`npm run dev did not print the token and the claude mcp add line:\n${output}`);
  }
  const client = new Client({ name: "ci-smoke", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  const { tools } = await client.listTools();
  console.log(`smoke: ${tools.length} tools over HTTP: ${tools.map((t) => t.name).join(", ")}`);
  if (tools.length < 9) throw new Error("expected at least 9 tools");
  const unauthorized = await fetch(`${base}/mcp`, { method: "POST", body: "{}" });
  if (unauthorized.status !== 401) throw new Error(`expected 401 without a token, got ${unauthorized.status}`);
  await client.close();
  console.log("smoke: 1 passed, 0 failed");
} finally {
  stop();
}
