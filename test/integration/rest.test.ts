import { describe, expect, it } from "vitest";
import { BASE, newUser, rest, uniqueName, workerFetch } from "../helpers";

describe("REST API mirrors the tools", () => {
  it("answers /health without a token", async () => {
    const res = await rest(null, "GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ok" });
  });

  it("records, searches, resolves, lists with pagination and builds context", async () => {
    const { token } = await newUser();
    const p = uniqueName("web");
    const base = `/api/v1/projects/${p}`;

    const start = await rest(token, "POST", `${base}/sessions`, { description: "Fix login", tags: ["bugfix"] });
    expect(start.status).toBe(201);

    for (let i = 0; i < 3; i++) {
      const change = await rest(token, "POST", `${base}/changes`, {
        file_path: `src/components/LoginForm${i}.tsx`,
        action: "edit",
        reason: `Validate the email field ${i}`,
      });
      expect(change.status).toBe(201);
      expect(change.body.session_id).toBe(start.body.session_id);
    }
    const err = await rest(token, "POST", `${base}/errors`, {
      error_type: "TypeError",
      message: "Cannot read properties of undefined (reading 'email')",
      stack_trace:
        "TypeError: Cannot read properties of undefined (reading 'email')\n    at LoginForm (src/components/LoginForm.tsx:12:7)",
    });
    expect(err.status).toBe(201);

    const search = await rest(token, "POST", `${base}/errors/search`, {
      query: "cannot read property email of undefined",
    });
    expect(search.status).toBe(200);
    expect(search.body.results[0].error_id).toBe(err.body.error_id);

    const resolve = await rest(token, "POST", `${base}/errors/${err.body.error_id}/resolve`, {
      solution: "Guard against a missing form state before reading email",
    });
    expect(resolve.status).toBe(200);
    expect(resolve.body.resolved).toBe(true);

    const decision = await rest(token, "POST", `${base}/decisions`, {
      decision: "Validate forms with zod schemas",
      rationale: "One schema for client and server validation",
    });
    expect(decision.status).toBe(201);

    const page1 = await rest(token, "GET", `${base}/changes?limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.next_cursor).toBeTruthy();
    const page2 = await rest(
      token,
      "GET",
      `${base}/changes?limit=2&cursor=${encodeURIComponent(page1.body.next_cursor)}`,
    );
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.next_cursor).toBeNull();
    const allPaths = [...page1.body.items, ...page2.body.items].map((c: { file_path: string }) => c.file_path).sort();
    expect(allPaths).toEqual([0, 1, 2].map((i) => `src/components/LoginForm${i}.tsx`));

    const errors = await rest(token, "GET", `${base}/errors?resolved=true`);
    expect(errors.body.items).toHaveLength(1);
    const sessions = await rest(token, "GET", `${base}/sessions`);
    expect(sessions.body.items[0].status).toBe("active");
    const decisions = await rest(token, "GET", `${base}/decisions`);
    expect(decisions.body.items[0].decision).toBe("Validate forms with zod schemas");

    const context = await rest(token, "GET", `${base}/context?max_tokens=800`);
    expect(context.status).toBe(200);
    expect(context.body.active_session.session_id).toBe(start.body.session_id);
    expect(context.body.stack.map((s: { name: string }) => s.name)).toContain("React");
    expect(context.body.markdown).toContain("Validate forms with zod schemas");
    expect(context.body.estimated_tokens).toBeLessThanOrEqual(800);

    const focused = await rest(token, "GET", `${base}/context?focus=zod`);
    expect(focused.body.decisions).toHaveLength(1);
    expect(focused.body.recent_changes).toHaveLength(0);

    const end = await rest(token, "POST", `${base}/sessions/end`, { success: true });
    expect(end.status).toBe(200);
    expect(end.body.counts).toEqual({ file_changes: 3, errors: 1, decisions: 1 });
  }, 35_000); // 17 calls

  it("keeps the context within its token budget on a busy project", async () => {
    const { token } = await newUser();
    const base = `/api/v1/projects/${uniqueName("busy")}`;
    for (let i = 0; i < 40; i++) {
      await rest(token, "POST", `${base}/decisions`, {
        decision: `Decision number ${i} about the caching layer and its invalidation strategy`,
        rationale: "A fairly long rationale that explains the trade-offs in some detail. ".repeat(4),
      });
    }
    const small = await rest(token, "GET", `${base}/context`);
    expect(small.body.token_budget).toBe(1500);
    expect(small.body.estimated_tokens).toBeLessThanOrEqual(1500);
    expect(small.body.omitted.decisions).toBeGreaterThan(0);
    expect(small.body.markdown).toContain("left out to stay within 1500 tokens");
  }, 60_000); // 42 calls

  it("analyzes patterns only with enough data, and measures them", async () => {
    const { token } = await newUser();
    const base = `/api/v1/projects/${uniqueName("pat")}`;
    await rest(token, "POST", `${base}/changes`, { file_path: "src/a.py", action: "edit", reason: "r" });
    const few = await rest(token, "GET", `${base}/patterns`);
    expect(few.status).toBe(200);
    expect(few.body.status).toBe("insufficient_data");
    expect(few.body.message).toContain("Insufficient data for pattern analysis");
    expect(few.body.change_count).toBe(1);

    const files = ["src/user_service.py", "src/auth_utils.py", "tests/test_auth.py", "web/LoginForm.tsx"];
    for (let i = 0; i < 11; i++) {
      await rest(token, "POST", `${base}/changes`, {
        file_path: files[i % files.length],
        action: i % 3 === 0 ? "test" : "edit",
        reason: "work",
      });
    }
    const enough = await rest(token, "GET", `${base}/patterns`);
    expect(enough.body.status).toBe("ok");
    expect(enough.body.change_count).toBe(12);
    const python = enough.body.languages.find((l: { language: string }) => l.language === "Python");
    expect(python.changes).toBe(10);
    expect(enough.body.naming_conventions[0].convention).toBe("snake_case");
  }, 30_000); // 15 calls
});

describe("REST answers with the tool's readable text when asked", () => {
  it("Accept: text/plain gets the text an MCP client gets; JSON stays the default", async () => {
    const { token } = await newUser();
    const project = uniqueName("rest-text");
    await rest(token, "POST", `/api/v1/projects/${project}/errors`, { error_type: "KeyError", message: "'user_id'" });
    const url = `${BASE}/api/v1/projects/${project}/errors/search`;
    const body = JSON.stringify({ query: "KeyError user_id" });
    const ask = (accept?: string) =>
      workerFetch(url, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${token}`,
          "Content-Type": "application/json",
          ...(accept ? { Accept: accept } : {}),
        },
        body,
      });
    const text = await ask("text/plain");
    expect(text.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await text.text()).toMatch(/KeyError/);
    for (const accept of [undefined, "*/*", "application/json, text/plain", "application/json"]) {
      const json = await ask(accept);
      expect(json.headers.get("content-type"), String(accept)).toMatch(/application\/json/);
      expect(((await json.json()) as { results: unknown[] }).results.length).toBe(1);
    }
    // An error is JSON whatever was asked for: its code and field are for programs.
    const bad = await workerFetch(url, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "text/plain" },
      body: JSON.stringify({}),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid_input");
  }, 20_000); // 6 calls
});
