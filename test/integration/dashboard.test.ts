/**
 * The dashboard over real HTTP (the Worker's fetch, local D1/KV/DO): its OAuth sign-in and cookie session, the
 * CSRF and Origin checks on forms, the CSP of its pages, and the REST routes it reads and curates through
 * (which any API client may use too). The browser-level flows are in .ci/dashboard.mjs (headless Chromium).
 */
import { describe, expect, it } from "vitest";
import { BASE, newUser, rest, uniqueName, workerFetch } from "../helpers";
import { account, CookieJar, PASSWORD, submit } from "../support/authorize-flow";
import { env } from "cloudflare:workers";

/** Signs `user` in through /dashboard/login → /authorize → /dashboard/callback, as a browser would. */
async function dashboardSignIn(user: string, scope?: string, next = "/dashboard") {
  const jar = new CookieJar();
  const get = async (url: string) => {
    const res = await jar.fetch(url, { headers: { Cookie: jar.header() }, redirect: "manual" });
    jar.take(res);
    return res;
  };
  const login = await get(`${BASE}/dashboard/login?next=${encodeURIComponent(next)}`);
  expect(login.status).toBe(303);
  const authorize = new URL(login.headers.get("Location") ?? "");
  expect(authorize.pathname).toBe("/authorize");
  expect(authorize.searchParams.get("scope")).toBe("memory:read memory:write admin");
  const page = await get(authorize.href);
  const handle = /name="handle" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  const posted = await submit(jar, {
    handle,
    action: "login",
    user,
    password: PASSWORD,
    scope: scope ?? "memory:read memory:write admin",
  });
  expect(posted.status).toBe(302);
  const callback = await get(posted.headers.get("Location") ?? "");
  return { jar, get, callback };
}

/** A built-in account: its id is the name it signs in with. */
async function userWithAccount() {
  const userId = await account("dash");
  return { userId, name: userId };
}

describe("dashboard sign-in and session", () => {
  it("sends a signed-out browser to sign in, then back where it was going with a session cookie", async () => {
    const signedOut = await workerFetch(`${BASE}/dashboard/tokens`, { redirect: "manual" });
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get("Location")).toBe("/dashboard/login?next=%2Fdashboard%2Ftokens");

    const { name } = await userWithAccount();
    const { callback, get } = await dashboardSignIn(name, undefined, "/dashboard/tokens");
    expect(callback.status).toBe(303);
    expect(callback.headers.get("Location")).toBe("/dashboard/tokens");
    const cookie = callback.headers.getSetCookie().find((line) => line.startsWith("cm_session="));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const page = await get(`${BASE}/dashboard/tokens`);
    expect(page.status).toBe(200);
    const csp = page.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    expect(await page.text()).toContain("API tokens");
  });

  it("keeps no OAuth grant behind the session, and ends the session at sign-out", async () => {
    const { userId, name } = await userWithAccount();
    const { jar, get } = await dashboardSignIn(name);
    const html = await (await get(`${BASE}/dashboard`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const grants = await env.OAUTH_KV.list({ prefix: `grant:${userId}:` });
    expect(grants.keys).toEqual([]);
    const out = await jar.fetch(`${BASE}/dashboard/logout`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: jar.header(), Origin: BASE },
      body: new URLSearchParams({ csrf }).toString(),
      redirect: "manual",
    });
    expect(out.status).toBe(303);
    const after = await jar.fetch(`${BASE}/dashboard`, { headers: { Cookie: jar.header() }, redirect: "manual" });
    expect(after.status).toBe(303);
  });

  it("refuses a form without the session's CSRF token, or from another origin even with it", async () => {
    const { name } = await userWithAccount();
    const { jar, get } = await dashboardSignIn(name);
    const html = await (await get(`${BASE}/dashboard/tokens`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      jar.fetch(`${BASE}/dashboard/tokens`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: jar.header(), ...headers },
        body: new URLSearchParams(fields).toString(),
        redirect: "manual",
      });
    expect((await post({ name: "a" })).status).toBe(403);
    expect((await post({ name: "a", csrf: `${csrf.slice(0, -1)}x` })).status).toBe(403);
    const crossOrigin = await post({ name: "a", csrf }, { Origin: "https://evil.example" });
    expect(crossOrigin.status).toBe(403);
    expect(await crossOrigin.text()).toContain("another site");
    expect((await post({ name: "a", csrf }, { "Sec-Fetch-Site": "cross-site" })).status).toBe(403);
    const created = await post(
      { name: "kept", csrf, level: "read", days: "7" },
      { Origin: BASE, "Sec-Fetch-Site": "same-origin" },
    );
    expect(created.status).toBe(201);
    expect(await created.text()).toMatch(/cm_[A-Za-z0-9_-]{20,}/);
  });

  it("gives a session only what the person granted on the consent page", async () => {
    const { name } = await userWithAccount();
    const { get } = await dashboardSignIn(name, "memory:read");
    const tokens = await get(`${BASE}/dashboard/tokens`);
    expect(tokens.status).toBe(403);
    expect(await tokens.text()).toContain("admin scope");
    expect((await get(`${BASE}/dashboard`)).status).toBe(200);
  });

  it("refuses a callback it did not start, and never redirects off the dashboard", async () => {
    const forged = await workerFetch(`${BASE}/dashboard/callback?code=x&state=y`, { redirect: "manual" });
    expect(forged.status).toBe(400);
    const { name } = await userWithAccount();
    const { callback } = await dashboardSignIn(name, undefined, "//evil.example/x");
    expect(callback.headers.get("Location")).toBe("/dashboard");
  });

  it("serves its assets under content hashes, cached for good, and nothing else there", async () => {
    const { name } = await userWithAccount();
    const { get } = await dashboardSignIn(name);
    const html = await (await get(`${BASE}/dashboard`)).text();
    const css = /href="(\/dashboard\/assets\/[0-9a-f]+\.css)"/.exec(html)?.[1] ?? "";
    const res = await workerFetch(`${BASE}${css}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toContain("immutable");
    expect((await workerFetch(`${BASE}/dashboard/assets/000000000000.css`)).status).toBe(404);
  });
});

describe("the REST routes the dashboard curates through", () => {
  it("curates an error: a member edits and resolves, a viewer and another team cannot, secrets are removed", async () => {
    const owner = await newUser();
    const project = uniqueName("curate");
    const recorded = await rest(owner.token, "POST", `/api/v1/projects/${project}/errors`, {
      error_type: "KeyError",
      message: "'user_id' missing in session payload",
    });
    const id = recorded.body.error_id as string;
    const noFix = await rest(owner.token, "PATCH", `/api/v1/projects/${project}/errors/${id}`, { resolved: true });
    expect(noFix.status).toBe(400);
    expect(noFix.body.error.message).toMatch(/^solution:/);
    const fixed = await rest(owner.token, "PATCH", `/api/v1/projects/${project}/errors/${id}`, {
      solution: "Read it with .get(); key AKIAIOSFODNN7EXAMPLE rotated",
      resolved: true,
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.resolved).toBe(true);
    expect(fixed.body.solution).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(fixed.body.redactions.length).toBeGreaterThan(0);
    const read = await rest(owner.token, "GET", `/api/v1/projects/${project}/errors/${id}`);
    expect(read.body.solution).toBe(fixed.body.solution);
    await rest(owner.token, "POST", `/api/v1/projects/${project}/errors`, {
      error_type: "KeyError",
      message: "'user_id' missing in session payload",
    });
    const seen = await rest(owner.token, "GET", `/api/v1/projects/${project}/errors/${id}`);
    expect(seen.body.occurrences_by_day).toEqual([{ date: new Date().toISOString().slice(0, 10), count: 2 }]);
    const reopened = await rest(owner.token, "PATCH", `/api/v1/projects/${project}/errors/${id}`, { resolved: false });
    expect([reopened.body.resolved, reopened.body.resolved_at, reopened.body.solution]).toEqual([
      false,
      null,
      fixed.body.solution,
    ]);
    expect((await rest(owner.token, "PATCH", `/api/v1/projects/${project}/errors/${id}`, {})).status).toBe(400);

    const stranger = await newUser();
    expect((await rest(stranger.token, "GET", `/api/v1/projects/${project}/errors/${id}`)).status).toBe(404);
    const theirs = await rest(stranger.token, "POST", `/api/v1/projects/${project}/errors`, {
      error_type: "E",
      message: "m",
    });
    expect(
      (
        await rest(owner.token, "PATCH", `/api/v1/projects/${project}/errors/${theirs.body.error_id}`, {
          solution: "x",
        })
      ).status,
    ).toBe(404);

    const team = uniqueName("cur").toLowerCase();
    await rest(owner.token, "POST", "/api/v1/teams", { slug: team });
    await rest(owner.token, "POST", `/api/v1/projects/${project}/transfer`, { team });
    const viewer = await newUser();
    const invite = await rest(owner.token, "POST", `/api/v1/teams/${team}/invitations`, { role: "viewer" });
    await rest(viewer.token, "POST", "/api/v1/invitations/accept", { code: invite.body.code });
    const path = `/api/v1/teams/${team}/projects/${project}/errors/${id}`;
    expect((await rest(viewer.token, "GET", path)).status).toBe(200);
    const refused = await rest(viewer.token, "PATCH", path, { solution: "vandalised" });
    expect(refused.status).toBe(403);
    expect((await rest(owner.token, "GET", path)).body.solution).toBe(fixed.body.solution);
  });

  it("answers the overview, one decision, and the caller's pending approvals", async () => {
    const owner = await newUser();
    const project = uniqueName("glance");
    await rest(owner.token, "POST", `/api/v1/projects/${project}/errors`, { error_type: "E1", message: "first" });
    await rest(owner.token, "POST", `/api/v1/projects/${project}/errors`, {
      error_type: "E2",
      message: "second",
      solution: "s",
    });
    const decision = await rest(owner.token, "POST", `/api/v1/projects/${project}/decisions`, {
      decision: "Use cents",
      rationale: "floats lose money",
    });
    const overview = await rest(owner.token, "GET", `/api/v1/projects/${project}/overview`);
    expect(overview.status).toBe(200);
    expect(overview.body.errors).toEqual({ open: 1, resolved: 1, recurring: 0, new: 2 });
    expect(overview.body.decisions).toBe(1);
    const one = await rest(owner.token, "GET", `/api/v1/projects/${project}/decisions/${decision.body.decision_id}`);
    expect(one.body.rationale).toBe("floats lose money");
    expect((await rest(owner.token, "GET", `/api/v1/projects/${project}/decisions/nope`)).status).toBe(404);
    expect((await rest(owner.token, "GET", `/api/v1/projects/${project}/approvals`)).body).toEqual({ approvals: [] });
  });
});
