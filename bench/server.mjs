// Starts `wrangler dev` on a private state directory for a bench, and stops it afterwards.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** A TCP port nothing listens on right now, so that two runs on one machine never share a server. */
export async function freePort() {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(String(port)));
    });
  });
}

/**
 * @param {{ port?: string, vars?: Record<string, string> }} [options] `vars` override wrangler.toml [vars]; without
 *   a port, a free one.
 */
export async function startServer({ port: wanted, vars = {} } = {}) {
  const port = wanted ?? (await freePort());
  const stateDir = mkdtempSync(join(tmpdir(), "coding-memory-bench-"));
  process.env.CODING_MEMORY_PERSIST_TO = stateDir;
  const { applyLocalMigrations, insertToken } = await import("../scripts/local-d1.mjs");
  applyLocalMigrations();
  const { token } = insertToken({ user: "bench", name: "bench" });
  const child = spawn(
    "wrangler",
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      port,
      "--persist-to",
      stateDir,
      "--log-level",
      "warn",
      // Benches load data faster than any client would: the per-credential write limit stays out of the way.
      ...Object.entries({ RATE_LIMITS: "off", ...vars }).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    { stdio: ["ignore", "pipe", "pipe"], detached: true, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${output}`);
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      // not yet listening
    }
    await sleep(300);
  }
  return {
    base,
    token,
    async stop() {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await sleep(500);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** @param {number[]} values @param {number} q */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return /** @type {number} */ (sorted[index]);
}

/**
 * Waits until the queue consumer has built every vector of the project. If nothing moves for 30 s, some
 * indexing jobs were lost (a failed queue send under load is logged, not retried): re-queue the pending errors
 * the way an operator would (`POST …/errors/reindex {only_pending: true}`), and say so.
 * @param {string} base  server URL
 * @param {string} project
 * @param {Record<string, string>} headers
 */
export async function waitForVectors(base, project, headers) {
  const url = `${base}/api/v1/projects/${encodeURIComponent(project)}/errors`;
  const started = Date.now();
  let lastPending = -1;
  let stalledSince = Date.now();
  let requeued = 0;
  for (;;) {
    const res = await fetch(`${url}/index-status`, { headers });
    const status = await res.json();
    if (res.status !== 200) throw new Error(`index-status failed: ${res.status} ${JSON.stringify(status)}`);
    if (status.pending === 0) return { ...status, seconds: (Date.now() - started) / 1000, requeued };
    if (status.pending !== lastPending) {
      lastPending = status.pending;
      stalledSince = Date.now();
    } else if (Date.now() - stalledSince > 30_000) {
      const again = await fetch(`${url}/reindex`, {
        method: "POST",
        headers,
        body: JSON.stringify({ only_pending: true }),
      });
      requeued += (await again.json()).queued ?? 0;
      stalledSince = Date.now();
    }
    if (Date.now() - started > 60 * 60_000) throw new Error(`vectors still pending: ${JSON.stringify(status)}`);
    await sleep(500);
  }
}

/**
 * The body an OpenAI-compatible server answers a Chat Completions request with (the benches' fake providers).
 * `usage` null leaves the usage object out, as some providers do.
 * @param {string} model
 * @param {string} content
 * @param {{ prompt_tokens: number; completion_tokens: number } | null | undefined} usage
 */
export function chatCompletionBody(model, content, usage) {
  return JSON.stringify({
    id: "c",
    object: "chat.completion",
    created: 0,
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    ...(usage ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } } : {}),
  });
}
