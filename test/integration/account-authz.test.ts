import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { D1AccountService as AccountService } from "../../src/composition/auth";
import { s256 } from "../../src/auth/identity-providers";
import { D1TokenService as TokenService } from "../../src/composition/auth";
import { ACCOUNT_ROUTES, accountRoutes } from "../../src/http/account";
import { BASE, newUser, rest, uniqueName, workerFetch } from "../helpers";

/**
 * The isolation matrix of the account routes: every route in ACCOUNT_ROUTES, called with every kind of
 * credential, answers what that credential may do and nothing more. The attacks reproduced in issue 15 (a
 * project-restricted admin token creating teams, inviting admins, minting tokens and listing everything; a
 * memory:read token revoking tokens and accepting invitations) are rows of it.
 */

const REDIRECT = "http://localhost:33418/callback";
const PASSWORD = "correct horse battery";

/** An OAuth access token through the real flow: client registration, /authorize login + consent, PKCE code. */
async function oauthToken(user: string, scope: string): Promise<string> {
  const registered = await workerFetch(`${BASE}/oauth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      client_name: "authz matrix",
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code"],
      response_types: ["code"],
    }),
  });
  const clientId = ((await registered.json()) as { client_id: string }).client_id;
  const verifier = `${crypto.randomUUID()}${crypto.randomUUID()}`;
  const url = new URL(`${BASE}/authorize`);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope,
    state: "s",
    code_challenge: await s256(verifier),
    code_challenge_method: "S256",
    resource: BASE,
  }).toString();
  const page = await workerFetch(url);
  const cookies = page.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  const handle = /name="handle" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  const form = new URLSearchParams({ handle, action: "login", user, password: PASSWORD });
  for (const item of scope.split(" ")) form.append("scope", item);
  const consent = await workerFetch(`${BASE}/authorize`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookies },
    body: form.toString(),
    redirect: "manual",
  });
  expect(consent.status, await consent.clone().text()).toBe(302);
  const code = new URL(consent.headers.get("Location") ?? "").searchParams.get("code") ?? "";
  const exchanged = await workerFetch(`${BASE}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT,
      client_id: clientId,
      code_verifier: verifier,
      resource: BASE,
    }).toString(),
  });
  const body = (await exchanged.json()) as { access_token: string };
  expect(exchanged.status, JSON.stringify(body)).toBe(200);
  return body.access_token;
}

const KINDS = ["oauth", "admin", "write", "read", "team", "project", "member", "outsider", "none"] as const;
type Kind = (typeof KINDS)[number];

interface World {
  alice: string;
  bob: string;
  team: string;
  otherTeam: string;
  project: string;
  personalProject: string;
  tokens: Record<Kind, string | null>;
}

let world: World;

async function post(token: string, path: string, body: unknown, status = 201) {
  const res = await rest(token, "POST", path, body);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(status);
  return res.body;
}

/**
 * Alice owns team T (project "api", bob a member) and team U, and has a personal project. Her credentials: an
 * OAuth grant with admin, unrestricted admin / write / read API tokens, an admin token restricted to T, one
 * restricted to T/api. Bob's own token, an outsider's, and no token complete the kinds.
 */
beforeAll(async () => {
  const alice = uniqueName("alice");
  await new AccountService(env.DB).create(alice, PASSWORD, Date.now());
  const tokens = new TokenService(env.DB);
  const admin = (await tokens.issue(alice, "admin", { now: Date.now() })).token;
  const team = uniqueName("t").toLowerCase();
  const otherTeam = uniqueName("u").toLowerCase();
  await post(admin, "/api/v1/teams", { slug: team });
  await post(admin, "/api/v1/teams", { slug: otherTeam });
  const project = uniqueName("api");
  await post(admin, `/api/v1/teams/${team}/projects/${project}/errors`, { error_type: "E", message: "team data" });
  const personalProject = uniqueName("mine");
  await post(admin, `/api/v1/projects/${personalProject}/errors`, { error_type: "E", message: "personal data" });
  const bob = await newUser();
  const invite = await post(admin, `/api/v1/teams/${team}/invitations`, { role: "member" });
  await post(bob.token, "/api/v1/invitations/accept", { code: invite.code }, 200);
  const mint = async (body: Record<string, unknown>) =>
    (await post(admin, "/api/v1/tokens", { name: "k", expires_in_days: 30, ...body })).token as string;
  const all = ["memory:read", "memory:write", "admin"];
  world = {
    alice,
    bob: bob.userId,
    team,
    otherTeam,
    project,
    personalProject,
    tokens: {
      oauth: await oauthToken(alice, "memory:read memory:write admin"),
      admin,
      write: await mint({ scopes: ["memory:read", "memory:write"] }),
      read: await mint({ scopes: ["memory:read"] }),
      team: await mint({ scopes: all, team }),
      project: await mint({ scopes: all, project: `${team}/${project}` }),
      member: bob.token,
      outsider: (await newUser()).token,
      none: null,
    },
  };
}, 120_000);

interface Case {
  path: (w: World) => string;
  body?: (w: World) => unknown;
  /** Runs before each call (as alice's admin token): fresh invitations, tokens, webhooks to act on. */
  prepare?: (w: World, kind: Kind) => Promise<{ path?: string; body?: unknown }>;
  expect: Partial<Record<Kind, number>>;
}

const fresh = () => uniqueName("x").toLowerCase();
const refusedRestricted = { team: 403, project: 403 };

/** Every account route: its cases and the status each kind of credential gets. */
const MATRIX: Record<keyof typeof ACCOUNT_ROUTES, Case[]> = {
  "GET /teams": [
    {
      path: () => "/api/v1/teams",
      expect: { oauth: 200, admin: 200, write: 200, read: 200, team: 200, project: 200, member: 200, outsider: 200 },
    },
  ],
  "POST /teams": [
    {
      path: () => "/api/v1/teams",
      body: () => ({ slug: fresh() }),
      expect: { oauth: 201, admin: 201, write: 403, read: 403, ...refusedRestricted, member: 201, outsider: 201 },
    },
  ],
  "GET /teams/:team": [
    {
      path: (w) => `/api/v1/teams/${w.team}`,
      expect: { oauth: 200, admin: 200, write: 200, read: 200, team: 200, project: 404, member: 200, outsider: 404 },
    },
    {
      path: (w) => `/api/v1/teams/${w.otherTeam}`,
      expect: { oauth: 200, admin: 200, team: 404, project: 404, member: 404, outsider: 404 },
    },
  ],
  "POST /teams/:team/invitations": [
    {
      path: (w) => `/api/v1/teams/${w.team}/invitations`,
      body: () => ({ role: "admin" }),
      expect: { oauth: 201, admin: 201, write: 403, read: 403, team: 201, project: 404, member: 403, outsider: 404 },
    },
    {
      path: (w) => `/api/v1/teams/${w.otherTeam}/invitations`,
      body: () => ({ role: "admin" }),
      expect: { admin: 201, team: 404, project: 404, member: 404 },
    },
  ],
  "GET /teams/:team/error-classes": [
    {
      path: (w) => `/api/v1/teams/${w.team}/error-classes`,
      expect: { oauth: 200, admin: 200, write: 200, read: 200, team: 200, project: 404, member: 200, outsider: 404 },
    },
    {
      path: (w) => `/api/v1/teams/${w.otherTeam}/error-classes`,
      expect: { admin: 200, team: 404, project: 404, member: 404 },
    },
  ],
  "POST /teams/:team/error-classes": [
    {
      path: (w) => `/api/v1/teams/${w.team}/error-classes`,
      body: () => ({ name: fresh(), message_contains: "timeout" }),
      expect: { oauth: 201, admin: 201, write: 403, read: 403, team: 201, project: 404, member: 403, outsider: 404 },
    },
    {
      path: (w) => `/api/v1/teams/${w.otherTeam}/error-classes`,
      body: () => ({ name: fresh(), type_contains: "Error" }),
      expect: { admin: 201, team: 404, project: 404, member: 404 },
    },
  ],
  "DELETE /teams/:team/error-classes/:name": [
    {
      path: () => "",
      prepare: async (w) => {
        const made = await post(w.tokens.admin!, `/api/v1/teams/${w.team}/error-classes`, {
          name: fresh(),
          message_contains: "x",
        });
        return { path: `/api/v1/teams/${w.team}/error-classes/${made.name}` };
      },
      expect: { oauth: 200, admin: 200, write: 403, read: 403, team: 200, project: 404, member: 403, outsider: 404 },
    },
  ],
  "DELETE /teams/:team/invitations/:id": [
    {
      path: () => "",
      prepare: async (w) => {
        const invite = await post(w.tokens.admin!, `/api/v1/teams/${w.team}/invitations`, { role: "viewer" });
        return { path: `/api/v1/teams/${w.team}/invitations/${invite.invitation_id}` };
      },
      expect: { oauth: 200, admin: 200, write: 403, read: 403, team: 200, project: 404, member: 403, outsider: 404 },
    },
  ],
  "POST /invitations/accept": [
    {
      path: () => "/api/v1/invitations/accept",
      // An invitation to a stranger's team, fresh for every call: joining it widens what the account reaches.
      prepare: async () => {
        const host = await newUser();
        const slug = fresh();
        await post(host.token, "/api/v1/teams", { slug });
        const invite = await post(host.token, `/api/v1/teams/${slug}/invitations`, { role: "member" });
        return { body: { code: invite.code } };
      },
      expect: { oauth: 200, admin: 200, write: 200, read: 403, ...refusedRestricted, member: 200, outsider: 200 },
    },
  ],
  "PATCH /teams/:team/members/:user": [
    {
      path: (w) => `/api/v1/teams/${w.team}/members/${w.bob}`,
      body: () => ({ role: "member" }),
      expect: { oauth: 200, admin: 200, write: 403, read: 403, team: 200, project: 404, member: 403, outsider: 404 },
    },
  ],
  "DELETE /teams/:team/members/:user": [
    {
      path: () => "",
      prepare: async (w) => {
        const viewer = await newUser();
        const invite = await post(w.tokens.admin!, `/api/v1/teams/${w.team}/invitations`, { role: "viewer" });
        await post(viewer.token, "/api/v1/invitations/accept", { code: invite.code }, 200);
        return { path: `/api/v1/teams/${w.team}/members/${viewer.userId}` };
      },
      expect: { oauth: 200, admin: 200, write: 403, read: 403, team: 200, project: 404, member: 403, outsider: 404 },
    },
  ],
  "POST /projects/:project/transfer": [
    {
      path: () => "",
      // Moves a fresh project of team T to team U when the call is expected to succeed; T/api otherwise.
      prepare: async (w, kind) => {
        let project = `${w.team}%2F${w.project}`;
        if (kind === "oauth" || kind === "admin") {
          const name = fresh();
          await post(w.tokens.admin!, `/api/v1/teams/${w.team}/projects/${name}/errors`, {
            error_type: "E",
            message: "m",
          });
          project = `${w.team}%2F${name}`;
        }
        return { path: `/api/v1/projects/${project}/transfer`, body: { team: w.otherTeam } };
      },
      expect: { oauth: 200, admin: 200, write: 403, read: 403, team: 404, project: 404, member: 403, outsider: 404 },
    },
  ],
  "POST /projects/:project/webhooks": [
    {
      path: (w) => `/api/v1/projects/${w.team}%2F${w.project}/webhooks`,
      body: () => ({}),
      expect: { oauth: 201, admin: 201, write: 403, read: 403, team: 201, project: 201, member: 403, outsider: 404 },
    },
    {
      path: (w) => `/api/v1/projects/${w.personalProject}/webhooks`,
      body: () => ({}),
      expect: { admin: 201, team: 404, project: 404, member: 404, outsider: 404 },
    },
  ],
  "GET /projects/:project/webhooks": [
    {
      path: (w) => `/api/v1/teams/${w.team}/projects/${w.project}/webhooks`,
      expect: { oauth: 200, admin: 200, write: 403, read: 403, team: 200, project: 200, member: 403, outsider: 404 },
    },
  ],
  "GET /projects/:project/webhooks/deliveries": [
    {
      path: (w) => `/api/v1/teams/${w.team}/projects/${w.project}/webhooks/deliveries`,
      expect: { oauth: 200, admin: 200, write: 403, read: 403, team: 200, project: 200, member: 403, outsider: 404 },
    },
  ],
  "DELETE /projects/:project/webhooks": [
    {
      path: (w) => `/api/v1/projects/${w.team}%2F${w.project}/webhooks`,
      prepare: async (w) => {
        await post(w.tokens.admin!, `/api/v1/projects/${w.team}%2F${w.project}/webhooks`, {});
        return {};
      },
      expect: { oauth: 200, admin: 200, write: 403, read: 403, team: 200, project: 200, member: 403, outsider: 404 },
    },
  ],
  "GET /tokens": [
    {
      path: () => "/api/v1/tokens",
      expect: { oauth: 200, admin: 200, write: 403, read: 403, team: 200, project: 200, member: 200, outsider: 200 },
    },
  ],
  "POST /tokens": [
    {
      path: () => "/api/v1/tokens",
      body: () => ({ name: "child", scopes: ["memory:read"] }),
      expect: { oauth: 201, admin: 201, write: 403, read: 403, team: 201, project: 201, member: 201, outsider: 201 },
    },
    {
      // Widening the restriction: another team, or a project outside it.
      path: () => "/api/v1/tokens",
      body: (w) => ({ name: "wider", scopes: ["memory:read"], team: w.otherTeam }),
      expect: { admin: 201, team: 404, project: 404, member: 404 },
    },
    {
      path: () => "/api/v1/tokens",
      body: (w) => ({ name: "wider", scopes: ["memory:read"], project: w.personalProject }),
      expect: { admin: 201, team: 404, project: 404, member: 404 },
    },
  ],
  "DELETE /tokens/:id": [
    {
      path: () => "",
      // A fresh unrestricted token of alice's to revoke.
      prepare: async (w) => {
        const issued = await post(w.tokens.admin!, "/api/v1/tokens", { name: "victim", scopes: ["memory:read"] });
        return { path: `/api/v1/tokens/${issued.token_id}` };
      },
      expect: { oauth: 200, admin: 200, write: 403, read: 403, team: 404, project: 404, member: 404, outsider: 404 },
    },
  ],
};

describe("isolation matrix: every account route, every kind of credential", () => {
  it("has cases for every account route, each with expectations for every kind", () => {
    expect(Object.keys(MATRIX).sort()).toEqual(Object.keys(ACCOUNT_ROUTES).sort());
    // Nothing is registered around the table (and so around its check).
    const registered = accountRoutes().routes.map((route) => `${route.method} ${route.path}`);
    expect([...new Set(registered)].sort()).toEqual(Object.keys(ACCOUNT_ROUTES).sort());
    for (const [route, cases] of Object.entries(MATRIX)) {
      expect(Object.keys(cases[0]!.expect).sort(), route).toEqual(KINDS.filter((k) => k !== "none").sort());
    }
  });

  for (const [route, cases] of Object.entries(MATRIX)) {
    it(route, { timeout: 120_000 }, async () => {
      const [method] = route.split(" ") as [string];
      for (const [index, testCase] of cases.entries()) {
        for (const kind of KINDS) {
          const expected = kind === "none" ? (index === 0 ? 401 : undefined) : testCase.expect[kind];
          if (expected === undefined) continue;
          const prepared = testCase.prepare ? await testCase.prepare(world, kind) : {};
          const path = prepared.path ?? testCase.path(world);
          const body = prepared.body ?? testCase.body?.(world);
          const res = await rest(world.tokens[kind], method, path, body);
          expect(res.status, `${route} #${index} with ${kind}: ${JSON.stringify(res.body)}`).toBe(expected);
          if (res.status >= 400) expect(JSON.stringify(res.body)).not.toMatch(/team data|personal data|at \w+ \(/);
        }
      }
    });
  }
});

describe("a restricted token sees and mints only what its restriction covers", () => {
  it("lists only its team (or its project's team and project)", async () => {
    const teamView = await rest(world.tokens.team, "GET", "/api/v1/teams");
    expect(teamView.body.teams.map((t: { slug: string }) => t.slug)).toEqual([world.team]);
    const projectView = await rest(world.tokens.project, "GET", "/api/v1/teams");
    expect(projectView.body.teams).toHaveLength(1);
    expect(projectView.body.teams[0]).toMatchObject({ slug: world.team, projects: [world.project] });
    const full = await rest(world.tokens.admin, "GET", "/api/v1/teams");
    expect(full.body.teams.length).toBeGreaterThanOrEqual(3);
  });

  it("lists and revokes only the tokens inside its restriction, and mints children no wider", async () => {
    const child = await post(world.tokens.team!, "/api/v1/tokens", { name: "team child", scopes: ["memory:read"] });
    expect(child.team_id).not.toBeNull();
    const grandchild = await post(world.tokens.project!, "/api/v1/tokens", { name: "p child", scopes: ["admin"] });
    expect(grandchild.project_id).not.toBeNull();
    // The project-restricted child works only on its project.
    const own = await rest(grandchild.token, "GET", `/api/v1/teams/${world.team}/projects/${world.project}/errors`);
    expect(own.status).toBe(200);
    expect((await rest(grandchild.token, "GET", `/api/v1/projects/${world.personalProject}/errors`)).status).toBe(404);

    const seenByTeam = (await rest(world.tokens.team, "GET", "/api/v1/tokens")).body.tokens.map(
      (t: { token_id: string }) => t.token_id,
    );
    expect(seenByTeam).toContain(child.token_id);
    expect(seenByTeam).toContain(grandchild.token_id);
    const all = (await rest(world.tokens.admin, "GET", "/api/v1/tokens")).body.tokens;
    expect(seenByTeam.length).toBeLessThan(all.length);
    const seenByProject = (await rest(world.tokens.project, "GET", "/api/v1/tokens")).body.tokens;
    expect(seenByProject.every((t: { project_id: string | null }) => t.project_id !== null)).toBe(true);
    expect(JSON.stringify(seenByProject)).not.toContain(child.token_id);

    expect((await rest(world.tokens.project, "DELETE", `/api/v1/tokens/${child.token_id}`)).status).toBe(404);
    expect((await rest(world.tokens.team, "DELETE", `/api/v1/tokens/${grandchild.token_id}`)).status).toBe(200);
    expect((await rest(grandchild.token, "GET", "/api/v1/teams")).status).toBe(401);
  });

  it("never mints a token with more scopes or a longer life than its own", async () => {
    const narrow = await post(world.tokens.admin!, "/api/v1/tokens", {
      name: "short admin",
      scopes: ["admin"],
      expires_in_days: 2,
    });
    const wider = await rest(narrow.token, "POST", "/api/v1/tokens", { name: "long", expires_in_days: 365 });
    expect(wider.status).toBe(201);
    expect(Date.parse(wider.body.expires_at)).toBeLessThanOrEqual(Date.parse(narrow.expires_at));
    const readOnlyParent = await rest(world.tokens.write, "POST", "/api/v1/tokens", {
      name: "x",
      scopes: ["memory:read"],
    });
    expect(readOnlyParent.status).toBe(403);
    expect(readOnlyParent.body.error.message).toContain("admin");
  });

  it("a read-only credential cannot leave a team; a writing one can", async () => {
    const carol = await newUser();
    const invite = await post(world.tokens.admin!, `/api/v1/teams/${world.team}/invitations`, { role: "viewer" });
    await post(carol.token, "/api/v1/invitations/accept", { code: invite.code }, 200);
    const read = await post(carol.token, "/api/v1/tokens", { name: "r", scopes: ["memory:read"] });
    const path = `/api/v1/teams/${world.team}/members/${carol.userId}`;
    expect((await rest(read.token, "DELETE", path)).status).toBe(403);
    expect((await rest(carol.token, "DELETE", path)).status).toBe(200);
  });
});
