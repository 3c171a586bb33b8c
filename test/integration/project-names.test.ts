import { describe, expect, it } from "vitest";
import { BASE, callTool, mcpClient, newUser, rest, uniqueName, workerFetch } from "../helpers";
import { ciSignature } from "../support/webhook-signing";

/**
 * Project names are per team (issue 15): `team/project` names one team's project, a plain name resolves among
 * the caller's own teams, and nothing a caller is told depends on another team's projects.
 */

async function teamOf(token: string): Promise<string> {
  const slug = uniqueName("team").toLowerCase();
  expect((await rest(token, "POST", "/api/v1/teams", { slug })).status).toBe(201);
  return slug;
}

async function join(ownerToken: string, team: string, token: string, role = "member") {
  const invite = await rest(ownerToken, "POST", `/api/v1/teams/${team}/invitations`, { role });
  expect(invite.status).toBe(201);
  expect((await rest(token, "POST", "/api/v1/invitations/accept", { code: invite.body.code })).status).toBe(200);
}

const record = (token: string, path: string, message: string) =>
  rest(token, "POST", `/api/v1/projects/${path}/errors`, { error_type: "TypeError", message });

describe("project names are per team", () => {
  it("two teams each have project api; neither can observe the other's, and the second learns nothing", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const name = uniqueName("api");
    const aliceTeam = await teamOf(alice.token);
    const bobTeam = await teamOf(bob.token);
    // Bob writes first; Alice's first write to the same name answers exactly like a name nobody uses.
    const bobs = await rest(bob.token, "POST", `/api/v1/teams/${bobTeam}/projects/${name}/errors`, {
      error_type: "KeyError",
      message: "bob's zebra secret",
    });
    expect(bobs.status).toBe(201);
    const alices = await rest(alice.token, "POST", `/api/v1/teams/${aliceTeam}/projects/${name}/errors`, {
      error_type: "KeyError",
      message: "alice's okapi note",
    });
    const unused = await rest(alice.token, "POST", `/api/v1/teams/${aliceTeam}/projects/${name}-unused/errors`, {
      error_type: "KeyError",
      message: "alice's okapi note",
    });
    expect(alices.status).toBe(201);
    expect(unused.status).toBe(alices.status);
    expect(Object.keys(alices.body).sort()).toEqual(Object.keys(unused.body).sort());

    // Plain names: each sees only their own team's project, over REST and MCP.
    const aliceList = await rest(alice.token, "GET", `/api/v1/projects/${name}/errors`);
    expect(aliceList.body.items.map((i: { message: string }) => i.message)).toEqual(["alice's okapi note"]);
    const bobClient = await mcpClient(bob.token);
    const search = await callTool(bobClient, "coding_search_errors", { project_id: name, query: "okapi note" });
    expect(search.isError, search.text).toBe(false);
    expect(search.text).not.toContain("okapi");
    // Naming the other team explicitly is not found, read or write, and creates nothing there.
    const peek = await callTool(bobClient, "coding_search_errors", {
      project_id: `${aliceTeam}/${name}`,
      query: "okapi",
    });
    expect(peek.isError).toBe(true);
    expect(peek.data.error.code).toBe("not_found");
    expect((await record(bob.token, `${aliceTeam}%2F${name}`, "intrusion")).status).toBe(404);
    expect((await record(bob.token, `${aliceTeam}%2Fnew-${name}`, "intrusion")).status).toBe(404);
    expect((await rest(bob.token, "GET", `/api/v1/teams/${aliceTeam}/projects/${name}/errors`)).status).toBe(404);
    await bobClient.close();
    const after = await rest(alice.token, "GET", `/api/v1/projects/${name}/errors`);
    expect(JSON.stringify(after.body)).not.toContain("intrusion");
  });

  it("a plain name nobody of the caller's has is created in the personal team, never joining another's", async () => {
    const alice = await newUser();
    const team = await teamOf(alice.token);
    const name = uniqueName("taken");
    expect((await record(alice.token, `${team}%2F${name}`, "alice's")).status).toBe(201);
    const carol = await newUser();
    const squat = await record(carol.token, name, "carol's");
    expect(squat.status).toBe(201);
    const carolTeams = await rest(carol.token, "GET", "/api/v1/teams");
    expect(carolTeams.body.teams).toEqual([
      expect.objectContaining({ slug: `~${carol.userId}`, personal: true, projects: [name] }),
    ]);
    const aliceView = await rest(alice.token, "GET", `/api/v1/projects/${name}/errors`);
    expect(aliceView.body.items.map((i: { message: string }) => i.message)).toEqual(["alice's"]);
    // The personal team can be named too.
    const mine = await rest(
      carol.token,
      "GET",
      `/api/v1/projects/${encodeURIComponent(`~${carol.userId}/${name}`)}/errors`,
    );
    expect(mine.body.items.map((i: { message: string }) => i.message)).toEqual(["carol's"]);
  });

  it("one user in two teams that both have api gets the candidates, and team/api works everywhere", async () => {
    const owner = await newUser();
    const dave = await newUser();
    const first = await teamOf(owner.token);
    const second = await teamOf(owner.token);
    const name = uniqueName("api");
    expect((await record(owner.token, `${first}%2F${name}`, "in the first team")).status).toBe(201);
    expect((await record(owner.token, `${second}%2F${name}`, "in the second team")).status).toBe(201);
    await join(owner.token, first, dave.token);
    // While dave is in one of them, the plain name is unambiguous for him.
    const single = await rest(dave.token, "GET", `/api/v1/projects/${name}/errors`);
    expect(single.body.items.map((i: { message: string }) => i.message)).toEqual(["in the first team"]);
    await join(owner.token, second, dave.token);

    const ambiguous = await rest(dave.token, "GET", `/api/v1/projects/${name}/errors`);
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error.details.candidates.sort()).toEqual([`${first}/${name}`, `${second}/${name}`].sort());
    const client = await mcpClient(dave.token);
    const viaMcp = await callTool(client, "coding_record_error", { project_id: name, error_type: "E", message: "m" });
    expect(viaMcp.isError).toBe(true);
    expect(viaMcp.text).toContain(`${first}/${name}`);
    expect(viaMcp.text).toContain(`${second}/${name}`);

    const qualified = await callTool(client, "coding_record_error", {
      project_id: `${second}/${name}`,
      error_type: "ValueError",
      message: "dave in the second team",
    });
    expect(qualified.isError, qualified.text).toBe(false);
    await client.close();
    const encoded = await rest(dave.token, "GET", `/api/v1/projects/${second}%2F${name}/errors`);
    const alias = await rest(dave.token, "GET", `/api/v1/teams/${second}/projects/${name}/errors`);
    expect(encoded.body.items.map((i: { message: string }) => i.message).sort()).toEqual(
      ["dave in the second team", "in the second team"].sort(),
    );
    expect(alias.body).toEqual(encoded.body);
    const firstOnly = await rest(dave.token, "GET", `/api/v1/teams/${first}/projects/${name}/errors`);
    expect(firstOnly.body.items.map((i: { message: string }) => i.message)).toEqual(["in the first team"]);
  });

  it("a team-restricted token resolves and creates plain names in its team only", async () => {
    const owner = await newUser();
    const team = await teamOf(owner.token);
    const name = uniqueName("svc");
    expect((await record(owner.token, name, "personal copy")).status).toBe(201);
    const scoped = await rest(owner.token, "POST", "/api/v1/tokens", { name: "team", team });
    expect(scoped.status).toBe(201);
    // The personal project of that name is outside the token: its write makes the team's own.
    expect((await record(scoped.body.token, name, "team copy")).status).toBe(201);
    const inTeam = await rest(owner.token, "GET", `/api/v1/teams/${team}/projects/${name}/errors`);
    expect(inTeam.body.items.map((i: { message: string }) => i.message)).toEqual(["team copy"]);
    // The owner, in both teams, now has to say which one.
    expect((await rest(owner.token, "GET", `/api/v1/projects/${name}/errors`)).status).toBe(400);
    expect((await rest(scoped.body.token, "GET", `/api/v1/projects/${name}/errors`)).status).toBe(200);
  });

  it("moving a project into a team that already has its name is a conflict, not a 500", async () => {
    const owner = await newUser();
    const team = await teamOf(owner.token);
    const name = uniqueName("dup");
    expect((await record(owner.token, `${team}%2F${name}`, "team")).status).toBe(201);
    expect((await record(owner.token, `~${owner.userId}%2F${name}`, "personal")).status).toBe(201);
    const moved = await rest(owner.token, "POST", `/api/v1/projects/~${owner.userId}%2F${name}/transfer`, { team });
    expect(moved.status).toBe(409);
  });
});

describe("webhooks find the right team's project", () => {
  it("a delivery by plain name lands in the project whose secret signed it; team/name and the ci_url work", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const name = uniqueName("hooked");
    const hooks = [];
    for (const user of [alice, bob]) {
      const team = await teamOf(user.token);
      expect((await record(user.token, `${team}%2F${name}`, "seed")).status).toBe(201);
      const hook = await rest(user.token, "POST", `/api/v1/teams/${team}/projects/${name}/webhooks`, {});
      expect(hook.status).toBe(201);
      expect(hook.body.ci_url).toBe(`${BASE}/webhooks/ci/${team}%2F${name}`);
      hooks.push({ user, team, secret: hook.body.secret as string, ciUrl: hook.body.ci_url as string });
    }
    const [a, b] = hooks as [(typeof hooks)[0], (typeof hooks)[0]];
    const deliver = async (url: string, secret: string, message: string) => {
      const body = JSON.stringify({
        job: "pytest",
        status: "failure",
        log: `Traceback (most recent call last):\n  File "app.py", line 3, in <module>\nValueError: ${message}\n`,
      });
      const res = await workerFetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(await ciSignature(secret, body)) },
        body,
      });
      return res.status;
    };
    expect(await deliver(`${BASE}/webhooks/ci/${name}`, b.secret, "bob plain delivery")).toBe(201);
    expect(await deliver(a.ciUrl, a.secret, "alice qualified delivery")).toBe(201);
    // A's secret on B's qualified URL, or a made-up secret on the plain name: refused alike.
    expect(await deliver(b.ciUrl, a.secret, "crossed")).toBe(401);
    expect(await deliver(`${BASE}/webhooks/ci/${name}`, "whsec_forged", "forged")).toBe(401);
    const messages = async (hook: typeof a) =>
      JSON.stringify((await rest(hook.user.token, "GET", `/api/v1/teams/${hook.team}/projects/${name}/errors`)).body);
    const bobs = await messages(b);
    const alices = await messages(a);
    expect(bobs).toContain("bob plain delivery");
    expect(bobs).not.toContain("alice qualified");
    expect(alices).toContain("alice qualified delivery");
    expect(alices).not.toContain("bob plain");
    expect(alices + bobs).not.toContain("crossed");
  });
});
