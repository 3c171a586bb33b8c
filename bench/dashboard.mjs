// Bench: dashboard page times for a project with 10,000 errors (the target: first page ≤ 200 ms of
// server time locally). A real `wrangler dev` (bench/server.mjs); errors imported 100 at a time; a person signs up
// through /dashboard/login → /authorize → /dashboard/callback with fetch, as a browser would; each page is
// fetched RUNS times and its server time read from Server-Timing (`page;dur`, the Worker's time including its
// in-process API calls). Baselines in the same run: /health (transport only) and the API's own errors listing.
// Usage: npm run bench:dashboard [-- --errors 10000 --runs 15]
import { startServer, quantile } from "./server.mjs";

/** @param {string} name @param {number} fallback */
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const ERRORS = arg("errors", 10_000);
const RUNS = arg("runs", 15);
const server = await startServer({ vars: { ALLOW_SIGNUP: "true" } });
const base = server.base;
const project = "bench-dashboard";
const headers = { Authorization: `Bearer ${server.token}`, "Content-Type": "application/json" };

/** @type {Map<string, string>} */
const cookies = new Map();
/** @param {string} url @param {RequestInit} [init] */
async function browse(url, init = {}) {
  const res = await fetch(new URL(url, base), {
    ...init,
    redirect: "manual",
    headers: { ...(init.headers ?? {}), Cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
  });
  for (const line of res.headers.getSetCookie()) {
    const [pair = ""] = line.split(";");
    const [name = "", ...value] = pair.split("=");
    cookies.set(name.trim(), value.join("="));
  }
  return res;
}

try {
  const started = performance.now();
  for (let done = 0; done < ERRORS; done += 100) {
    const errors = Array.from({ length: Math.min(100, ERRORS - done) }, (_, i) => ({
      error_type: ["TypeError", "KeyError", "ValueError", "ConnectionError"][(done + i) % 4],
      message: `failure ${done + i} in module m${(done + i) % 97}: value ${(done + i) * 7} out of range`,
      stack_trace: `at f${(done + i) % 31} (src/m${(done + i) % 97}.ts:${(done + i) % 400}:3)`,
      ...((done + i) % 3 === 0 ? { solution: "clamp the value" } : {}),
    }));
    const res = await fetch(`${base}/api/v1/projects/${project}/errors/import`, {
      method: "POST",
      headers,
      body: JSON.stringify({ errors }),
    });
    if (res.status !== 201) throw new Error(`import: ${res.status} ${await res.text()}`);
  }
  console.log(`imported ${ERRORS} errors in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  // The bench user's errors live in its personal team; sign up as another person and join by invitation.
  const teams = await (await fetch(`${base}/api/v1/teams`, { headers })).json();
  const team = teams.teams.find((/** @type {any} */ t) => t.projects.includes(project)).slug;

  const login = await browse("/dashboard/login");
  const authorize = await browse(login.headers.get("Location") ?? "");
  const handle = /name="handle" value="([^"]+)"/.exec(await authorize.text())?.[1] ?? "";
  const user = `reader-${Date.now().toString(36)}`;
  const form = new URLSearchParams({ handle, action: "signup", user, password: "correct horse battery staple" });
  form.set("scope", "memory:read memory:write admin");
  const posted = await browse("/authorize", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  await browse(posted.headers.get("Location") ?? "");
  // Personal teams take no invitations: the bench user shares its project by moving it into a team.
  const shared = `bench-${Date.now().toString(36)}`;
  await fetch(`${base}/api/v1/teams`, { method: "POST", headers, body: JSON.stringify({ slug: shared }) });
  await fetch(`${base}/api/v1/teams/${encodeURIComponent(team)}/projects/${project}/transfer`, {
    method: "POST",
    headers,
    body: JSON.stringify({ team: shared }),
  });
  const invite = await (
    await fetch(`${base}/api/v1/teams/${shared}/invitations`, {
      method: "POST",
      headers,
      body: JSON.stringify({ role: "member" }),
    })
  ).json();
  const page = await (await browse("/dashboard/teams")).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? "";
  const joined = await browse("/dashboard/invitations/accept", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: base },
    body: new URLSearchParams({ csrf, code: invite.code }).toString(),
  });
  if (joined.status !== 303) throw new Error(`join: ${joined.status}`);
  const listed = await (await fetch(`${base}/api/v1/projects/${project}/errors?limit=1`, { headers })).json();
  const errorId = listed.items[0].error_id;
  const p = `/dashboard/t/${shared}/${project}`;
  /** @type {Array<[string, string]>} */
  const pages = [
    ["projects", "/dashboard"],
    ["overview", p],
    ["errors", `${p}/errors`],
    ["errors search", `${p}/errors?q=${encodeURIComponent("TypeError value out of range in module m12")}`],
    ["one error", `${p}/errors/${errorId}`],
    ["costs", `${p}/costs`],
    ["team", `/dashboard/teams/${shared}`],
  ];
  /** @param {() => Promise<Response>} load */
  async function time(load) {
    const server = [];
    const wall = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const res = await load();
      await res.arrayBuffer();
      wall.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      const timing = res.headers.get("Server-Timing") ?? "";
      server.push(Number(/(?:page|app);dur=([\d.]+)/.exec(timing)?.[1] ?? NaN));
    }
    return { server, wall };
  }
  const fmt = (/** @type {number[]} */ v) =>
    `p50 ${quantile(v, 0.5).toFixed(1)} / p95 ${quantile(v, 0.95).toFixed(1)} ms`;
  console.log(
    `${ERRORS} errors, ${RUNS} loads each (server = Worker time from Server-Timing; wall = fetch to last byte)`,
  );
  const health = await time(() => fetch(`${base}/health`));
  console.log(`  baseline /health                     wall ${fmt(health.wall)}`);
  const api = await time(() => fetch(`${base}/api/v1/projects/${project}/errors?limit=50`, { headers }));
  console.log(`  baseline API GET /errors?limit=50    server ${fmt(api.server)}   wall ${fmt(api.wall)}`);
  for (const [name, path] of pages) {
    const measured = await time(() => browse(path));
    console.log(`  ${name.padEnd(36)} server ${fmt(measured.server)}   wall ${fmt(measured.wall)}`);
  }
} finally {
  await server.stop();
}
