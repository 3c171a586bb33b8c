import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { D1TokenService as TokenService } from "../../src/composition/auth";
import { BASE, callTool, mcpClient, newUser, rest, uniqueName, workerFetch } from "../helpers";

/** The internal id of the project a REST base path names: the key of its session Durable Object. */
async function internalId(base: string): Promise<string> {
  const slug = decodeURIComponent(base.split("/").pop() as string);
  const row = await env.DB.prepare("SELECT id FROM projects WHERE slug = ?").bind(slug).first<{ id: string }>();
  return row?.id as string;
}

describe("authentication", () => {
  const probes: Array<[string, string, unknown?]> = [
    ["GET", "/api/v1/projects/p/errors"],
    ["POST", "/api/v1/projects/p/errors", { error_type: "E", message: "m" }],
    ["GET", "/api/v1/projects/p/context"],
  ];

  it("refuses REST and MCP calls without a token, with a wrong one, an expired one and a revoked one", async () => {
    const tokens = new TokenService(env.DB);
    const now = Date.now();
    const expired = await tokens.issue(uniqueName("exp"), "t", { now, expiresAt: now - 1000 });
    const revoked = await tokens.issue(uniqueName("rev"), "t", { now });
    expect(await tokens.revoke(revoked.id, now)).toBe(true);
    const bad: Array<string | null> = [null, "cm_not-a-real-token", "garbage", expired.token, revoked.token];
    for (const token of bad) {
      for (const [method, path, body] of probes) {
        const res = await rest(token, method, path, body);
        expect(res.status, `${method} ${path} with ${token}`).toBe(401);
        expect(res.body.error.code).toBe("unauthorized");
      }
      const headers: Record<string, string> = {
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
      };
      if (token) headers.Authorization = `Bearer ${token}`;
      const mcp = await workerFetch(`${BASE}/mcp`, {
        method: "POST",
        headers,
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
      expect(mcp.status).toBe(401);
      expect(mcp.headers.get("WWW-Authenticate")).toContain("Bearer");
    }
    await expect(mcpClient("cm_wrong")).rejects.toThrow();
  }, 55_000); // 40 calls

  it("refuses a user_id naming someone else instead of obeying it", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    const result = await callTool(client, "coding_record_error", {
      project_id: uniqueName("p"),
      user_id: "someone_else",
      error_type: "E",
      message: "m",
    });
    expect(result.isError).toBe(true);
    expect(result.data.error.code).toBe("forbidden");
    expect(result.text).toContain("user_id");
    const viaRest = await rest(token, "POST", `/api/v1/projects/${uniqueName("p")}/errors`, {
      user_id: "someone_else",
      error_type: "E",
      message: "m",
    });
    expect(viaRest.status).toBe(403);
  }, 20_000); // 3 calls
});

describe("project isolation", () => {
  it("matches project ids exactly: a_c never sees abc's data, and strangers see nothing", async () => {
    const owner = await newUser();
    const suffix = crypto.randomUUID().slice(0, 6);
    const abc = `abc${suffix}`;
    const aUnderscoreC = `a_c${suffix}`;
    await rest(owner.token, "POST", `/api/v1/projects/${abc}/errors`, {
      error_type: "KeyError",
      message: "secret project abc error",
    });
    const created = await rest(owner.token, "POST", `/api/v1/projects/${aUnderscoreC}/decisions`, {
      decision: "d",
      rationale: "r",
    });
    expect(created.status).toBe(201);
    const errors = await rest(owner.token, "GET", `/api/v1/projects/${aUnderscoreC}/errors`);
    expect(errors.body.items).toEqual([]);
    const search = await rest(owner.token, "POST", `/api/v1/projects/${aUnderscoreC}/errors/search`, {
      query: "KeyError secret project abc error",
    });
    expect(search.body.results).toEqual([]);
    const percent = await rest(owner.token, "GET", `/api/v1/projects/a%25c${suffix}/errors`);
    expect(percent.status).toBe(400);

    const stranger = await newUser();
    const read = await rest(stranger.token, "GET", `/api/v1/projects/${abc}/errors`);
    expect(read.status).toBe(404);
    expect(JSON.stringify(read.body)).not.toContain("secret project abc error");
    // A stranger's write makes the stranger's own project of that name; the owner's is not touched.
    const write = await rest(stranger.token, "POST", `/api/v1/projects/${abc}/errors`, {
      error_type: "E",
      message: "stranger's own",
    });
    expect(write.status).toBe(201);
    const ownerView = await rest(owner.token, "GET", `/api/v1/projects/${abc}/errors`);
    expect(ownerView.body.items.map((item: { message: string }) => item.message)).toEqual(["secret project abc error"]);
    const client = await mcpClient(stranger.token);
    const viaMcp = await callTool(client, "coding_search_errors", { project_id: abc, query: "KeyError secret" });
    expect(viaMcp.isError).toBe(false);
    expect(viaMcp.text).not.toContain("secret project abc error");
    const other = await callTool(client, "coding_search_errors", { project_id: `${abc}-none`, query: "KeyError" });
    expect(other.data.error.code).toBe("not_found");
  }, 25_000); // 9 calls
});

describe("bad input gets a clear 4xx naming the field, never a 500", () => {
  it("names missing and invalid fields over REST and MCP", async () => {
    const { token } = await newUser();
    const base = `/api/v1/projects/${uniqueName("bad")}`;
    expect((await rest(token, "POST", `${base}/decisions`, { decision: "d", rationale: "r" })).status).toBe(201);
    const missing = await rest(token, "POST", `${base}/errors`, { message: "no type" });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe("invalid_input");
    expect(missing.body.error.message).toContain("error_type");

    const badEnum = await rest(token, "POST", `${base}/changes`, { file_path: "a.py", action: "explode", reason: "r" });
    expect(badEnum.status).toBe(400);
    expect(badEnum.body.error.message).toContain("action");

    const badList = await rest(token, "POST", `${base}/decisions`, {
      decision: "d",
      rationale: "r",
      tags: "[not json",
    });
    expect(badList.status).toBe(400);
    expect(badList.body.error.message).toContain("tags");

    const badType = await rest(token, "POST", `${base}/errors`, {
      error_type: "E",
      message: "m",
      line_number: "forty",
    });
    expect(badType.status).toBe(400);
    expect(badType.body.error.message).toContain("line_number");

    const malformed = await rest(token, "POST", `${base}/errors`, "{not json");
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toContain("malformed JSON");
    const array = await rest(token, "POST", `${base}/errors`, "[1,2]");
    expect(array.status).toBe(400);

    const huge = await rest(token, "POST", `${base}/errors`, {
      error_type: "E",
      message: "m",
      stack_trace: "x".repeat(1_100_000),
    });
    expect(huge.status).toBe(413);

    const tooLongMessage = await rest(token, "POST", `${base}/errors`, { error_type: "E", message: "m".repeat(9000) });
    expect(tooLongMessage.status).toBe(400);
    expect(tooLongMessage.body.error.message).toContain("message");

    const k = await rest(token, "POST", `${base}/errors/search`, { query: "x", k: 500 });
    expect(k.status).toBe(400);
    expect(k.body.error.message).toContain("k");

    const unknown = await rest(token, "GET", `/api/v1/projects/${uniqueName("nope")}/context`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain("project_id");

    const badCursor = await rest(token, "GET", `${base}/errors?cursor=%%%`);
    expect(badCursor.status).toBe(400);

    const noRoute = await rest(token, "GET", "/api/v1/nothing");
    expect(noRoute.status).toBe(404);

    const missingError = await rest(token, "POST", `${base}/errors/does-not-exist/resolve`, { solution: "s" });
    expect(missingError.status).toBe(404);
    expect(missingError.body.error.message).toContain("error_id");

    const client = await mcpClient(token);
    const viaMcp = await callTool(client, "coding_record_decision", { project_id: uniqueName("bad"), decision: "d" });
    expect(viaMcp.isError).toBe(true);
    expect(viaMcp.text).toContain("rationale");
    const screenshot = await callTool(client, "coding_record_error", {
      project_id: uniqueName("bad"),
      error_type: "E",
      message: "m",
      screenshot: "/path/to/screenshot.png",
    });
    expect(screenshot.isError).toBe(true);
    expect(screenshot.text).toContain("screenshot");
  }, 35_000); // 17 calls

  it("truncates an oversized diff and stack trace with a flag instead of cutting silently", async () => {
    const { token } = await newUser();
    const base = `/api/v1/projects/${uniqueName("big")}`;
    const diff = "+ line\n".repeat(20_000);
    const change = await rest(token, "POST", `${base}/changes`, {
      file_path: "a.py",
      action: "edit",
      reason: "r",
      diff,
    });
    expect(change.status).toBe(201);
    expect(change.body.diff_truncated).toBe(true);
    const stored = await rest(token, "GET", `${base}/changes`);
    expect(stored.body.items[0].diff_truncated).toBe(true);
    expect(stored.body.items[0].diff).toContain("characters truncated");
    expect(stored.body.items[0].diff.length).toBeLessThanOrEqual(65_536);
    const error = await rest(token, "POST", `${base}/errors`, {
      error_type: "E",
      message: "m",
      stack_trace: "  at frame (file.js:1:1)\n".repeat(3000),
    });
    expect(error.body.stack_trace_truncated).toBe(true);
  }, 20_000); // 3 calls
});

describe("redaction", () => {
  it("removes secrets from diffs, messages and stack traces before storage and says so", async () => {
    const { token } = await newUser();
    const base = `/api/v1/projects/${uniqueName("sec")}`;
    const awsKey = "AKIAIOSFODNN7EXAMPLE";
    const ghToken = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
    const change = await rest(token, "POST", `${base}/changes`, {
      file_path: "config.py",
      action: "edit",
      reason: "configure",
      diff: `+ AWS_ACCESS_KEY_ID = "${awsKey}"\n+ DATABASE_URL = "postgres://app:hunter2secret@db.internal:5432/app"`,
    });
    expect(change.status).toBe(201);
    const kinds = change.body.redactions.map((r: { kind: string }) => r.kind);
    expect(kinds).toContain("aws_access_key");
    expect(kinds).toContain("url_password");
    const error = await rest(token, "POST", `${base}/errors`, {
      error_type: "HTTPError",
      message: `401 Unauthorized for token ${ghToken}`,
      stack_trace:
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    });
    expect(error.body.redactions.length).toBeGreaterThan(0);
    const changes = await rest(token, "GET", `${base}/changes`);
    const errors = await rest(token, "GET", `${base}/errors`);
    const stored = JSON.stringify([changes.body, errors.body]);
    expect(stored).not.toContain(awsKey);
    expect(stored).not.toContain("hunter2secret");
    expect(stored).not.toContain(ghToken);
    expect(stored).not.toContain("dozjgNryP4J3jVmNHl0w5N");
    expect(stored).toContain("[REDACTED:");
    expect(stored).toContain("db.internal");
  }, 20_000); // 4 calls
});

describe("ProjectSession Durable Object", () => {
  it("lets exactly one of two concurrent starts win; the loser learns the active session", async () => {
    const { token } = await newUser();
    const project_id = uniqueName("race");
    const [a, b] = await Promise.all([mcpClient(token), mcpClient(token)]);
    // Create the project first so both starts race only for the session slot.
    await callTool(a, "coding_record_decision", { project_id, decision: "d", rationale: "r" });
    const results = await Promise.all([
      callTool(a, "coding_start_session", { project_id, description: "first" }),
      callTool(b, "coding_start_session", { project_id, description: "second" }),
      callTool(a, "coding_start_session", { project_id, description: "third" }),
    ]);
    const winners = results.filter((r) => !r.isError);
    const losers = results.filter((r) => r.isError);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(2);
    const winner = winners[0]!;
    for (const loser of losers) {
      expect(loser.text).toContain("Session already active");
      expect(loser.text).toContain(winner.data.session_id);
      expect(loser.text).toContain(winner.data.description);
      expect(loser.data.error.details.active_session).toMatchObject({
        session_id: winner.data.session_id,
        started_at: winner.data.started_at,
      });
    }
    const sessions = await rest(token, "GET", `/api/v1/projects/${project_id}/sessions`);
    expect(sessions.body.items).toHaveLength(1);
  }, 30_000); // 11 calls

  it("keeps sessions per user: another member's session does not block mine", async () => {
    const ann = await newUser();
    const bob = await newUser();
    const p1 = uniqueName("solo");
    const started = await rest(ann.token, "POST", `/api/v1/projects/${p1}/sessions`, { description: "ann" });
    expect(started.status).toBe(201);
    const p2 = uniqueName("solo");
    const other = await rest(bob.token, "POST", `/api/v1/projects/${p2}/sessions`, { description: "bob" });
    expect(other.status).toBe(201);
  });

  it("recovers when the object's slot was lost while D1 still marks a session active", async () => {
    const { token, userId } = await newUser();
    const base = `/api/v1/projects/${uniqueName("stale")}`;
    const first = await rest(token, "POST", `${base}/sessions`, { description: "orphaned" });
    const stub = env.PROJECT_SESSION.get(env.PROJECT_SESSION.idFromName(`${userId}:${await internalId(base)}`));
    await runInDurableObject(stub, async (_instance, state) => {
      await state.storage.deleteAll();
    });
    const second = await rest(token, "POST", `${base}/sessions`, { description: "fresh" });
    expect(second.status).toBe(201);
    const after = await rest(token, "GET", `${base}/sessions`);
    const byId = Object.fromEntries(
      after.body.items.map((s: { session_id: string; status: string }) => [s.session_id, s.status]),
    );
    expect(byId).toEqual({ [first.body.session_id]: "expired", [second.body.session_id]: "active" });
  }, 20_000); // 5 calls

  it("an alarm that fires before the deadline re-arms instead of closing the session", async () => {
    const { token, userId } = await newUser();
    const base = `/api/v1/projects/${uniqueName("early")}`;
    const started = await rest(token, "POST", `${base}/sessions`, { description: "still working" });
    const stub = env.PROJECT_SESSION.get(env.PROJECT_SESSION.idFromName(`${userId}:${await internalId(base)}`));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await runInDurableObject(stub, async (_instance, state) => {
      expect(await state.storage.getAlarm()).toBe(Date.parse(started.body.expires_at));
    });
    const after = await rest(token, "GET", `${base}/sessions`);
    expect(after.body.items[0].status).toBe("active");
  }, 20_000); // 4 calls

  it("closes a forgotten session when its alarm fires after max_session_duration_hours", async () => {
    const { token, userId } = await newUser();
    const project_id = uniqueName("forgot");
    const base = `/api/v1/projects/${project_id}`;
    const started = await rest(token, "POST", `${base}/sessions`, { description: "left open" });
    expect(Date.parse(started.body.expires_at) - Date.parse(started.body.started_at)).toBe(24 * 3_600_000);
    await rest(token, "POST", `${base}/changes`, { file_path: "a.ts", action: "edit", reason: "r" });

    const stub = env.PROJECT_SESSION.get(env.PROJECT_SESSION.idFromName(`${userId}:${await internalId(base)}`));
    // The alarm is scheduled for the deadline; move the deadline into the past, then fire the alarm now.
    await runInDurableObject(stub, async (_instance, state) => {
      expect(await state.storage.getAlarm()).toBe(Date.parse(started.body.expires_at));
      const active = (await state.storage.get("active")) as { expiresAt: number };
      await state.storage.put("active", { ...active, expiresAt: Date.now() - 1 });
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const after = await rest(token, "GET", `${base}/sessions`);
    expect(after.body.items[0]).toMatchObject({ status: "expired", summary_source: "digest" });
    expect(after.body.items[0].summary).toContain("Closed automatically");
    expect(after.body.items[0].summary).toContain("a.ts");
    const restart = await rest(token, "POST", `${base}/sessions`, { description: "new day" });
    expect(restart.status).toBe(201);
  }, 25_000); // 7 calls
});
