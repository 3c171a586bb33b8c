import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { D1TokenService as TokenService } from "../../src/composition/auth";
import { restRoutes } from "../../src/http/rest";
import { tools } from "../../src/mcp/registry";
import { callTool, mcpClient, newUser, rest, uniqueName } from "../helpers";

/** A team owned by a fresh user, with a project moved into it and `others` invited with their roles. */
async function teamWithProject(others: Array<"admin" | "member" | "viewer">) {
  const owner = await newUser();
  const team = uniqueName("team").toLowerCase();
  const project = uniqueName("shared");
  expect((await rest(owner.token, "POST", "/api/v1/teams", { slug: team, name: "Acme" })).status).toBe(201);
  const first = await rest(owner.token, "POST", `/api/v1/projects/${project}/errors`, {
    error_type: "TypeError",
    message: "can't compare offset-naive and offset-aware datetimes",
    solution: "Use datetime.now(timezone.utc) consistently",
  });
  expect(first.status).toBe(201);
  const moved = await rest(owner.token, "POST", `/api/v1/projects/${project}/transfer`, { team });
  expect(moved.status).toBe(200);
  const users = [];
  for (const role of others) {
    const user = await newUser();
    const invite = await rest(owner.token, "POST", `/api/v1/teams/${team}/invitations`, { role });
    expect(invite.status).toBe(201);
    const accepted = await rest(user.token, "POST", "/api/v1/invitations/accept", { code: invite.body.code });
    expect(accepted.status).toBe(200);
    expect(accepted.body.role).toBe(role);
    users.push({ ...user, role, code: invite.body.code as string });
  }
  return { owner, team, project, users, firstErrorId: first.body.error_id as string };
}

/** Whether a tool's write creates a missing project (as runTool decides). */
function createsProject(tool: (typeof tools)[number]): boolean {
  return tool.createsProject ?? tool.access === "write";
}

/** The team's project holds nothing by `userId` (a squatter's writes went to their own project). */
async function expectUntouchedBy(token: string, project: string, userId: string) {
  for (const list of ["errors", "decisions", "changes", "sessions"]) {
    const listed = await rest(token, "GET", `/api/v1/projects/${project}/${list}`);
    expect(listed.status).toBe(200);
    expect(
      listed.body.items.filter((item: { userId: string }) => item.userId === userId),
      list,
    ).toEqual([]);
  }
}

describe("teams share project memory", () => {
  it("two members share a project's errors through their own MCP clients; each record keeps its author", async () => {
    const { owner, project, users } = await teamWithProject(["member"]);
    const bob = users[0]!;
    const bobClient = await mcpClient(bob.token);
    const found = await callTool(bobClient, "coding_search_errors", {
      project_id: project,
      query: "naive aware datetime",
    });
    expect(found.isError).toBe(false);
    expect(found.data.results[0].solution).toBe("Use datetime.now(timezone.utc) consistently");

    const recorded = await callTool(bobClient, "coding_record_error", {
      project_id: project,
      error_type: "KeyError",
      message: "'user_id' missing from session payload",
    });
    expect(recorded.isError).toBe(false);
    const aliceClient = await mcpClient(owner.token);
    const seen = await callTool(aliceClient, "coding_search_errors", {
      project_id: project,
      query: "user_id missing session payload",
    });
    expect(seen.data.results[0].error_id).toBe(recorded.data.error_id);
    const listed = await rest(owner.token, "GET", `/api/v1/projects/${project}/errors`);
    const authors = new Set(listed.body.items.map((item: { user_id: string }) => item.user_id));
    expect(authors).toEqual(new Set([owner.userId, bob.userId]));

    // Coding sessions stay per user: both can have one at once in the shared project.
    expect(
      (await callTool(aliceClient, "coding_start_session", { project_id: project, description: "a" })).isError,
    ).toBe(false);
    expect((await callTool(bobClient, "coding_start_session", { project_id: project, description: "b" })).isError).toBe(
      false,
    );
    await bobClient.close();
    await aliceClient.close();
  }, 25_000); // 8 calls

  it("a viewer reads but cannot write; a member cannot change settings; an outsider sees nothing", async () => {
    const { project, users, firstErrorId } = await teamWithProject(["viewer", "member"]);
    const [viewer, member] = users as [(typeof users)[0], (typeof users)[0]];
    const read = await rest(viewer.token, "POST", `/api/v1/projects/${project}/errors/search`, { query: "datetime" });
    expect(read.status).toBe(200);
    const write = await rest(viewer.token, "POST", `/api/v1/projects/${project}/errors`, {
      error_type: "E",
      message: "m",
    });
    expect(write.status).toBe(403);
    expect(write.body.error.message).toContain("viewer");
    const resolve = await rest(viewer.token, "POST", `/api/v1/projects/${project}/errors/${firstErrorId}/resolve`, {
      solution: "x",
    });
    expect(resolve.status).toBe(403);
    const settings = await rest(member.token, "POST", `/api/v1/projects/${project}/settings`, { auto_approve: true });
    expect(settings.status).toBe(403);

    const outsider = await newUser();
    const peek = await rest(outsider.token, "POST", `/api/v1/projects/${project}/errors/search`, { query: "datetime" });
    expect(peek.status).toBe(404);
    expect(JSON.stringify(peek.body)).not.toContain("naive");
    // Writing to a name another team uses makes the outsider's own project (names are per team): it neither
    // joins the team's project nor tells that it exists.
    const squat = await rest(outsider.token, "POST", `/api/v1/projects/${project}/errors`, {
      error_type: "E",
      message: "outsider's own",
    });
    expect(squat.status).toBe(201);
    const own = await rest(outsider.token, "GET", `/api/v1/projects/${project}/errors`);
    expect(own.body.items.map((item: { message: string }) => item.message)).toEqual(["outsider's own"]);
    const theirs = await rest(viewer.token, "GET", `/api/v1/projects/${project}/errors`);
    expect(JSON.stringify(theirs.body)).not.toContain("outsider's own");
  }, 25_000); // 6 calls

  it("a removed member loses access at once, live token included; the last owner cannot leave", async () => {
    const { owner, team, project, users } = await teamWithProject(["member"]);
    const bob = users[0]!;
    const client = await mcpClient(bob.token);
    expect((await callTool(client, "coding_get_project_context", { project_id: project })).isError).toBe(false);
    expect((await rest(owner.token, "DELETE", `/api/v1/teams/${team}/members/${bob.userId}`)).status).toBe(200);
    const after = await callTool(client, "coding_get_project_context", { project_id: project });
    expect(after.isError).toBe(true);
    expect(after.text).toContain("not found");
    await client.close();

    const reuse = await rest(bob.token, "POST", "/api/v1/invitations/accept", { code: bob.code });
    expect(reuse.status).toBe(404);
    const leave = await rest(owner.token, "DELETE", `/api/v1/teams/${team}/members/${owner.userId}`);
    expect(leave.status).toBe(409);
    const demote = await rest(owner.token, "PATCH", `/api/v1/teams/${team}/members/${owner.userId}`, {
      role: "member",
    });
    expect(demote.status).toBe(409);
    const details = await rest(owner.token, "GET", `/api/v1/teams/${team}`);
    expect(details.body.members.map((m: { user_id: string }) => m.user_id)).toEqual([owner.userId]);
  }, 25_000); // 8 calls

  it("roles are bounded: an admin cannot make owners, a personal team takes no members", async () => {
    const { owner, team, users } = await teamWithProject(["admin"]);
    const admin = users[0]!;
    const ownerInvite = await rest(admin.token, "POST", `/api/v1/teams/${team}/invitations`, { role: "owner" });
    expect(ownerInvite.status).toBe(400);
    const promote = await rest(admin.token, "PATCH", `/api/v1/teams/${team}/members/${owner.userId}`, {
      role: "viewer",
    });
    expect(promote.status).toBe(403);
    const teams = await rest(owner.token, "GET", "/api/v1/teams");
    const personal = teams.body.teams.find((t: { personal: boolean }) => t.personal);
    expect(personal.slug).toBe(`~${owner.userId}`);
    const invitePersonal = await rest(
      owner.token,
      "POST",
      `/api/v1/teams/${encodeURIComponent(personal.slug)}/invitations`,
      {
        role: "member",
      },
    );
    expect(invitePersonal.status).toBe(400);
  }, 20_000); // 4 calls
});

describe("API tokens: scoped, restricted, expiring, revocable", () => {
  it("creates a token shown once, bounded by its scopes and project, and revokes it", async () => {
    const alice = await newUser();
    const p1 = uniqueName("tok");
    const p2 = uniqueName("tok");
    for (const project of [p1, p2]) {
      expect(
        (
          await rest(alice.token, "POST", `/api/v1/projects/${project}/errors`, {
            error_type: "E",
            message: `in ${project}`,
          })
        ).status,
      ).toBe(201);
    }
    const created = await rest(alice.token, "POST", "/api/v1/tokens", {
      name: "ci read-only",
      scopes: ["memory:read"],
      project: p1,
      expires_in_days: 30,
    });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^cm_/);
    const ci = created.body.token as string;
    expect((await rest(ci, "POST", `/api/v1/projects/${p1}/errors/search`, { query: "E" })).status).toBe(200);
    const write = await rest(ci, "POST", `/api/v1/projects/${p1}/errors`, { error_type: "E", message: "m" });
    expect(write.status).toBe(403);
    expect(write.body.error.message).toContain("memory:write");
    expect((await rest(ci, "POST", `/api/v1/projects/${p2}/errors/search`, { query: "E" })).status).toBe(404);
    // A token cannot mint a wider one.
    expect((await rest(ci, "POST", "/api/v1/tokens", { name: "x", scopes: ["memory:read"] })).status).toBe(403);

    const listed = await rest(alice.token, "GET", "/api/v1/tokens");
    const entry = listed.body.tokens.find((t: { token_id: string }) => t.token_id === created.body.token_id);
    expect(entry).toMatchObject({ name: "ci read-only", scopes: ["memory:read"], last_used_at: expect.any(String) });
    expect(JSON.stringify(listed.body)).not.toContain(ci);

    expect((await rest(alice.token, "DELETE", `/api/v1/tokens/${created.body.token_id}`)).status).toBe(200);
    expect((await rest(ci, "POST", `/api/v1/projects/${p1}/errors/search`, { query: "E" })).status).toBe(401);
  }, 30_000); // 13 calls

  it("refuses expired tokens and unknown scopes", async () => {
    const { userId } = await newUser();
    const expired = await new TokenService(env.DB).issue(userId, "old", {
      now: Date.now() - 10_000,
      expiresAt: Date.now() - 1,
    });
    expect((await rest(expired.token, "GET", "/api/v1/teams")).status).toBe(401);
    const alice = await newUser();
    const bad = await rest(alice.token, "POST", "/api/v1/tokens", { name: "x", scopes: ["memory:everything"] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("scopes");
  });
});

/** A valid call of every tool (ids are placeholders: refusals must come before any lookup). */
const SAMPLE_INPUT: Record<string, Record<string, unknown>> = {
  coding_start_session: { description: "s" },
  coding_end_session: {},
  coding_get_session: { session_id: "s1" },
  coding_track_file_change: { file_path: "a.py", action: "edit", reason: "r" },
  coding_record_error: { error_type: "E", message: "m" },
  coding_resolve_error: { error_id: "e1", solution: "s" },
  coding_record_decision: { decision: "d", rationale: "r" },
  coding_get_decision_implementation_status: { decision_id: "d1" },
  coding_search_errors: { query: "q" },
  coding_get_solutions_for_error: { error_text: "TypeError: x" },
  coding_get_project_context: {},
  coding_analyze_patterns: {},
  coding_analyze_diagram: { diagram_source: "graph LR\n  a --> b" },
  coding_index_files: { files: [{ path: "a.py", content: "import os\n" }] },
  coding_analyze_file_dependencies: { file_path: "a.py" },
  coding_analyze_refactor_impact: { file_path: "a.py" },
  coding_suggest_refactor_order: { files: ["a.py"] },
  coding_get_costs: {},
  coding_update_settings: { auto_approve: true },
  coding_approve: { approval_id: "a1" },
  coding_deny: { approval_id: "a1" },
};

describe("isolation matrix: every tool, over MCP", () => {
  it("has a sample call for every tool", () => {
    expect(Object.keys(SAMPLE_INPUT).sort()).toEqual(tools.map((tool) => tool.name).sort());
  });

  it("refuses outsiders (not found), viewers writing, read-only tokens writing, and members administering", async () => {
    const { owner, project, users } = await teamWithProject(["viewer", "member"]);
    const [viewer, member] = users as [(typeof users)[0], (typeof users)[0]];
    const outsider = await newUser();
    const squatter = await newUser();
    const readOnly = await rest(owner.token, "POST", "/api/v1/tokens", { name: "ro", scopes: ["memory:read"] });
    const clients = {
      outsider: await mcpClient(outsider.token),
      squatter: await mcpClient(squatter.token),
      viewer: await mcpClient(viewer.token),
      member: await mcpClient(member.token),
      readOnly: await mcpClient(readOnly.body.token),
    };
    for (const tool of tools) {
      const args = { project_id: project, ...SAMPLE_INPUT[tool.name] };
      if (createsProject(tool)) {
        // A creating call lands in the squatter's own project of that name, never in the team's.
        const fromSquatter = await callTool(clients.squatter, tool.name, args);
        expect(fromSquatter.text, `${tool.name} by a squatter`).not.toContain("offset-naive");
      } else {
        const fromOutsider = await callTool(clients.outsider, tool.name, args);
        expect(fromOutsider.isError, `${tool.name} for an outsider`).toBe(true);
        expect(fromOutsider.text, `${tool.name} for an outsider`).toContain("not found");
        expect(fromOutsider.text).not.toContain("offset-naive");
      }
      if (tool.access !== "read") {
        for (const [who, client] of [
          ["viewer", clients.viewer],
          ["read-only token", clients.readOnly],
        ] as const) {
          const refused = await callTool(client, tool.name, args);
          expect(refused.isError, `${tool.name} by a ${who}`).toBe(true);
          expect(refused.text, `${tool.name} by a ${who}`).toMatch(/cannot|needs the memory:write|needs the admin/);
        }
      }
      if (tool.access === "admin") {
        const refused = await callTool(clients.member, tool.name, args);
        expect(refused.isError, `${tool.name} by a member`).toBe(true);
      }
    }
    for (const client of Object.values(clients)) await client.close();
    await expectUntouchedBy(owner.token, project, squatter.userId);
  }, 95_000); // 80 calls

  it("refuses over REST too: every tool route and the project routes, for outsiders, viewers, narrow, expired, revoked and missing tokens", async () => {
    const { owner, project, users } = await teamWithProject(["viewer"]);
    const viewer = users[0]!;
    const outsider = await newUser();
    const squatter = await newUser();
    const readOnly = (await rest(owner.token, "POST", "/api/v1/tokens", { name: "ro", scopes: ["memory:read"] })).body
      .token as string;
    const tokens = new TokenService(env.DB);
    const expired = (await tokens.issue(owner.userId, "old", { now: Date.now() - 10_000, expiresAt: Date.now() - 1 }))
      .token;
    const revokedIssued = await tokens.issue(owner.userId, "gone", { now: Date.now() });
    await tokens.revoke(revokedIssued.id, Date.now());
    const routes: Array<{ method: string; path: string; body?: unknown; access: string; creates?: boolean }> =
      tools.map((tool) => {
        const path = tool.rest.path.replace(/:([a-z_]+)/g, (_match, name: string) =>
          String(SAMPLE_INPUT[tool.name]?.[name] ?? "x"),
        );
        const input = SAMPLE_INPUT[tool.name] ?? {};
        const query = new URLSearchParams(
          Object.entries(input)
            .filter(([, value]) => typeof value !== "object")
            .map(([key, value]) => [key, String(value)]),
        );
        const creates = createsProject(tool);
        return tool.rest.method === "GET"
          ? { method: "GET", path: `/api/v1/projects/${project}${path}?${query}`, access: tool.access, creates }
          : { method: "POST", path: `/api/v1/projects/${project}${path}`, body: input, access: tool.access, creates };
      });
    // The routes the tool table does not generate, by the pattern the REST app registers them under.
    const extra: Array<{ method: string; pattern: string; access: string; body?: unknown; creates?: boolean }> = [
      { method: "GET", pattern: "/projects/:project/files", access: "read" },
      { method: "GET", pattern: "/projects/:project/code/graph", access: "read" },
      { method: "GET", pattern: "/projects/:project/graph/edges", access: "read" },
      { method: "GET", pattern: "/projects/:project/files/lessons", access: "read" },
      { method: "GET", pattern: "/projects/:project/errors", access: "read" },
      { method: "GET", pattern: "/projects/:project/sessions", access: "read" },
      { method: "GET", pattern: "/projects/:project/decisions", access: "read" },
      { method: "GET", pattern: "/projects/:project/changes", access: "read" },
      { method: "GET", pattern: "/projects/:project/errors/index-status", access: "read" },
      { method: "GET", pattern: "/projects/:project/errors/:error_id/screenshots", access: "read" },
      { method: "GET", pattern: "/projects/:project/diagrams", access: "read" },
      { method: "GET", pattern: "/projects/:project/diagrams/:diagram_id", access: "read" },
      { method: "GET", pattern: "/projects/:project/attachments/:id", access: "read" },
      { method: "POST", pattern: "/projects/:project/attachments", body: {}, access: "write", creates: true },
      { method: "POST", pattern: "/projects/:project/errors/reindex", body: {}, access: "write" },
      {
        method: "POST",
        pattern: "/projects/:project/errors/import",
        body: { errors: [{ error_type: "E", message: "m" }] },
        access: "write",
        creates: true,
      },
      {
        method: "POST",
        pattern: "/projects/:project/errors/capture",
        body: { event_id: "matrix-event-1", client: "claude-code", command: "npm test", output: "Error: x" },
        access: "write",
        creates: true,
      },
      { method: "GET", pattern: "/projects/:project/overview", access: "read" },
      { method: "GET", pattern: "/projects/:project/approvals", access: "read" },
      { method: "GET", pattern: "/projects/:project/errors/:error_id", access: "read" },
      { method: "PATCH", pattern: "/projects/:project/errors/:error_id", body: { solution: "x" }, access: "write" },
      { method: "GET", pattern: "/projects/:project/decisions/:decision_id", access: "read" },
      { method: "POST", pattern: "/projects/:project/webhooks", body: {}, access: "admin" },
      { method: "POST", pattern: "/projects/:project/transfer", body: { team: "nope" }, access: "admin" },
    ];
    for (const row of extra) {
      const path = row.pattern.replace(":project", project).replace(/:[a-z_]+/g, "x");
      routes.push({ ...row, path: `/api/v1${path}` });
    }
    // A project route added later without a row here fails this test: every route is tried as an attacker would.
    const covered = new Set([
      ...tools.map((tool) => `${tool.rest.method} /projects/:project${tool.rest.path}`),
      ...extra.map((row) => `${row.method} ${row.pattern}`),
    ]);
    for (const { method, path } of restRoutes().routes) {
      if (method === "ALL" || !path.startsWith("/projects/:project")) continue;
      expect(covered.has(`${method} ${path}`), `${method} ${path} has no row in the isolation matrix`).toBe(true);
    }
    for (const route of routes) {
      const label = `${route.method} ${route.path}`;
      for (const token of [null, "cm_wrong", expired, revokedIssued.token]) {
        expect((await rest(token, route.method, route.path, route.body)).status, `${label} with ${token}`).toBe(401);
      }
      if (route.creates) {
        const fromSquatter = await rest(squatter.token, route.method, route.path, route.body);
        expect(fromSquatter.status, `${label} by a squatter`).toBeLessThan(500);
        expect(JSON.stringify(fromSquatter.body)).not.toContain("offset-naive");
      } else {
        const fromOutsider = await rest(outsider.token, route.method, route.path, route.body);
        expect(fromOutsider.status, `${label} by an outsider`).toBe(404);
        expect(JSON.stringify(fromOutsider.body)).not.toContain("offset-naive");
      }
      if (route.access !== "read") {
        expect((await rest(viewer.token, route.method, route.path, route.body)).status, `${label} by a viewer`).toBe(
          403,
        );
        expect(
          (await rest(readOnly, route.method, route.path, route.body)).status,
          `${label} by a read-only token`,
        ).toBe(403);
      }
    }
    await expectUntouchedBy(owner.token, project, squatter.userId);
  }, 270_000); // 255 calls

  it("limits writes per credential (the rate-limiting binding answers; over the limit is 429 rate_limited)", async () => {
    const { buildServices } = await import("../../src/composition/services");
    const keys: string[] = [];
    const services = buildServices({
      ...(env as unknown as import("../../src/composition/env").Env),
      WRITE_LIMITER: { limit: async ({ key }: { key: string }) => (keys.push(key), { success: keys.length < 3 }) },
    });
    const identity = {
      userId: "u",
      scopes: ["memory:write" as const],
      teamId: null,
      projectId: null,
      credentialId: "tok-1",
    };
    await services.accounts.limitWrites(identity);
    await services.accounts.limitWrites(identity);
    await expect(services.accounts.limitWrites(identity)).rejects.toMatchObject({ code: "rate_limited" });
    expect(keys).toEqual(["tok-1", "tok-1", "tok-1"]);
  });
});
