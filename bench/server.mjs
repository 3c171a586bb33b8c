// Starts `wrangler dev` on a private state directory for a bench, and stops it afterwards.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export async function startServer({ port = "8788" } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), "coding-memory-bench-"));
  process.env.CODING_MEMORY_PERSIST_TO = stateDir;
  const { applyLocalMigrations, insertToken } = await import("../scripts/local-d1.mjs");
  applyLocalMigrations();
  const { token } = insertToken({ user: "bench", name: "bench" });
  const child = spawn(
    "wrangler",
    ["dev", "--ip", "127.0.0.1", "--port", port, "--persist-to", stateDir, "--log-level", "warn"],
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
