// Bench: password spraying against the sign-in page, and what it does to everyone else's API latency.
// `wrangler dev` (private state); a legitimate client calls GET /api/v1/teams in a loop, first alone, then while
// an attacker posts wrong passwords for random user names from one address as fast as 8 connections allow.
// Prints the attacker's outcome (how many attempts reached PBKDF2, how many got 429) and the victim's latency.
// Target: the attacker gets at most the per-address limit (30 a minute; a run that spans a minute boundary sees
// two windows) of hashed attempts, and the other client is slowed no more than by the same volume of requests
// that hash nothing (the control flood of GET /health).
// Usage: npm run bench:spray [-- --seconds 20]
import { parseArgs } from "node:util";
import { quantile, startServer } from "./server.mjs";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "20" } } });
const seconds = Number(values.seconds);
const server = await startServer({ port: process.env.PORT ?? "8791" });
const headers = { Authorization: `Bearer ${server.token}` };

/** The other user: sequential API calls for `ms`, their latencies. @param {number} ms */
async function victim(ms) {
  /** @type {number[]} */
  const latencies = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const started = performance.now();
    const res = await fetch(`${server.base}/api/v1/teams`, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET /api/v1/teams: ${res.status}`);
    latencies.push(performance.now() - started);
  }
  return latencies;
}

/**
 * The attacker: wrong passwords for random user names, one address, 8 connections, for `ms`; with `control`,
 * the same flood of requests that hash nothing (GET /health), to tell request volume from hashing cost.
 * @param {number} ms
 * @param {boolean} [control]
 */
async function spray(ms, control = false) {
  /** @type {Map<number, number>} */
  const statuses = new Map();
  const until = Date.now() + ms;
  let hashedMs = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() < until) {
        const form = new URLSearchParams({
          handle: "x",
          action: "login",
          user: `user-${Math.random().toString(36).slice(2, 10)}`,
          password: "Spring2026!",
        });
        const started = performance.now();
        const res = control
          ? await fetch(`${server.base}/health`)
          : await fetch(`${server.base}/authorize`, {
              method: "POST",
              headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": "203.0.113.7" },
              body: form,
            });
        await res.arrayBuffer();
        if (res.status !== 429) hashedMs += performance.now() - started;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  return { statuses: Object.fromEntries(statuses), hashedMs };
}

/** @param {number[]} values */
const fmt = (values) =>
  `p50 ${quantile(values, 0.5).toFixed(1)} ms, p95 ${quantile(values, 0.95).toFixed(1)} ms (${values.length} calls)`;
try {
  await victim(2_000); // warm-up
  const baseline = await victim(seconds * 500);
  const [flooded, flood] = await Promise.all([victim(seconds * 1000), spray(seconds * 1000, true)]);
  const [during, attack] = await Promise.all([victim(seconds * 1000), spray(seconds * 1000)]);
  const attempts = Object.values(attack.statuses).reduce((sum, count) => sum + count, 0);
  console.log(
    `spray for ${seconds} s from one address: ${attempts} attempts, by status ${JSON.stringify(attack.statuses)}`,
  );
  console.log(`  reached password hashing: ${attempts - (attack.statuses["429"] ?? 0)}`);
  console.log(`other client, alone:        ${fmt(baseline)}`);
  console.log(`other client, during spray: ${fmt(during)}`);
  const floodCalls = Object.values(flood.statuses).reduce((sum, count) => sum + count, 0);
  console.log(`other client, during a flood of ${floodCalls} GET /health (no hashing): ${fmt(flooded)}`);
} finally {
  await server.stop();
}
