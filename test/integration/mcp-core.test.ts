import { describe, expect, it } from "vitest";
import { callTool, mcpClient, newUser, uniqueName } from "../helpers";

describe("MCP endpoint: the core tools over Streamable HTTP", () => {
  it("lists every core tool with annotations and input schemas", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    expect(names).toEqual(
      [
        "coding_analyze_patterns",
        "coding_analyze_diagram",
        "coding_approve",
        "coding_deny",
        "coding_end_session",
        "coding_get_costs",
        "coding_get_project_context",
        "coding_get_session",
        "coding_get_solutions_for_error",
        "coding_record_decision",
        "coding_record_error",
        "coding_resolve_error",
        "coding_search_errors",
        "coding_start_session",
        "coding_track_file_change",
        "coding_update_settings",
        "coding_index_files",
        "coding_analyze_file_dependencies",
        "coding_analyze_refactor_impact",
        "coding_suggest_refactor_order",
        "coding_get_decision_implementation_status",
      ].sort(),
    );
    const search = tools.find((t) => t.name === "coding_search_errors");
    expect(search?.annotations?.readOnlyHint).toBe(true);
    expect(search?.inputSchema.properties).toHaveProperty("query");
    expect(search?.inputSchema.required).toContain("project_id");
    const record = tools.find((t) => t.name === "coding_record_error");
    expect(record?.annotations?.readOnlyHint).toBe(false);
  });

  it("runs a whole session: start, change, error, decision inside the session, resolve, end with digest", async () => {
    const { token, userId } = await newUser();
    const client = await mcpClient(token);
    const project_id = uniqueName("api-service");

    const started = await callTool(client, "coding_start_session", {
      project_id,
      user_id: userId,
      description: "Implement JWT authentication",
      tags: '["feature", "authentication"]',
    });
    expect(started.isError, started.text).toBe(false);
    const sessionId = started.data.session_id as string;
    expect(started.data.tags).toEqual(["feature", "authentication"]);

    const change = await callTool(client, "coding_track_file_change", {
      project_id,
      file_path: "src/auth.py",
      action: "edit",
      diff: "+ def validate_token(token: str) -> bool:\n+     ...",
      reason: "Add JWT token validation for auth middleware",
      related_files: '["src/middleware.py"]',
      line_range: "42,57",
    });
    expect(change.isError, change.text).toBe(false);
    expect(change.data.session_id).toBe(sessionId);

    // The original crashed when a decision was recorded inside a session.
    const decision = await callTool(client, "coding_record_decision", {
      project_id,
      decision: "Use JWT tokens for authentication",
      rationale: "Stateless auth enables horizontal scaling. No session storage needed.",
      alternatives: '["Session-based auth", "OAuth only"]',
      impact: "Eliminates session store, requires key rotation strategy",
      tags: ["architecture", "security"],
      related_files: ["src/auth.py", "src/middleware.py"],
      confidence: 0.9,
    });
    expect(decision.isError, decision.text).toBe(false);
    expect(decision.data.session_id).toBe(sessionId);
    expect(decision.data.related_files).toEqual(["src/auth.py", "src/middleware.py"]);

    const error = await callTool(client, "coding_record_error", {
      project_id,
      error_type: "TypeError",
      message: "can't compare offset-naive and offset-aware datetimes",
      stack_trace:
        'Traceback (most recent call last):\n  File "/app/src/auth.py", line 42, in check\n    if exp < now:',
      file_path: "src/auth.py",
      line_number: 42,
      tags: '["datetime", "timezone"]',
    });
    expect(error.isError, error.text).toBe(false);
    expect(error.data).toMatchObject({ recurring: false, occurrences: 1, resolved: false, session_id: sessionId });

    const resolved = await callTool(client, "coding_resolve_error", {
      project_id,
      error_id: error.data.error_id,
      solution: "Use datetime.now(timezone.utc) consistently",
    });
    expect(resolved.isError, resolved.text).toBe(false);
    expect(resolved.data.resolved).toBe(true);

    const ended = await callTool(client, "coding_end_session", { project_id, success: true });
    expect(ended.isError, ended.text).toBe(false);
    expect(ended.data.session_id).toBe(sessionId);
    expect(ended.data.counts).toEqual({ file_changes: 1, errors: 1, decisions: 1 });
    expect(typeof ended.data.duration_minutes).toBe("number");
    expect(ended.data.summary_source).toBe("digest");
    expect(ended.data.summary).toContain("Implement JWT authentication");
    expect(ended.data.summary).toContain("src/auth.py");
    expect(ended.data.summary).toContain("Use JWT tokens for authentication");
    expect(ended.data.summary).toContain("Use datetime.now(timezone.utc) consistently");

    const again = await callTool(client, "coding_end_session", { project_id });
    expect(again.isError).toBe(true);
    expect(again.text).toContain("No active session");
  }, 25_000); // 8 calls

  it("recognises a recurring error and returns its known fix; search finds it in other words", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    const project_id = uniqueName("svc");
    const trace = (path: string, line: number) =>
      `Traceback (most recent call last):\n  File "${path}", line ${line}, in is_expired\n    return exp < datetime.now()\nTypeError: can't compare offset-naive and offset-aware datetimes`;
    const first = await callTool(client, "coding_record_error", {
      project_id,
      error_type: "TypeError",
      message: "can't compare offset-naive and offset-aware datetimes",
      stack_trace: trace("/home/ann/api/src/auth.py", 42),
      solution: "Use datetime.now(timezone.utc) consistently",
    });
    expect(first.data.resolved).toBe(true);
    const second = await callTool(client, "coding_record_error", {
      project_id,
      error_type: "TypeError",
      message: "can't compare offset-naive and offset-aware datetimes",
      stack_trace: trace("/srv/ci/build/src/auth.py", 57),
    });
    expect(second.data).toMatchObject({
      error_id: first.data.error_id,
      recurring: true,
      occurrences: 2,
      known_solution: "Use datetime.now(timezone.utc) consistently",
    });
    await callTool(client, "coding_record_error", {
      project_id,
      error_type: "ImportError",
      message: "No module named 'litellm'",
    });

    const found = await callTool(client, "coding_search_errors", {
      project_id,
      query: "TypeError comparing naive and aware datetime objects",
      k: 5,
    });
    expect(found.isError, found.text).toBe(false);
    expect(found.data.results[0]).toMatchObject({
      error_id: first.data.error_id,
      occurrences: 2,
      solution: "Use datetime.now(timezone.utc) consistently",
    });
    expect(found.data.results[0].score).toBeGreaterThan(0);
    expect(found.text).toContain("seen 2 times");

    const none = await callTool(client, "coding_search_errors", { project_id, query: "segmentation fault in kernel" });
    expect(none.data).toMatchObject({ count: 0, message: "No similar errors found." });
  }, 25_000); // 6 calls
});

describe("MCP: context and patterns", () => {
  it("returns project context with focus and budget, and measured patterns", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    const project_id = uniqueName("ctx");
    const empty = await callTool(client, "coding_analyze_patterns", { project_id });
    expect(empty.isError).toBe(true);
    expect(empty.data.error.code).toBe("not_found");

    await callTool(client, "coding_record_decision", {
      project_id,
      decision: "Use JWT tokens for authentication",
      rationale: "Stateless auth enables horizontal scaling",
      related_files: ["src/auth.py"],
    });
    await callTool(client, "coding_record_decision", {
      project_id,
      decision: "Cache rendered pages in KV",
      rationale: "Cut p95 latency",
    });
    for (let i = 0; i < 12; i++) {
      await callTool(client, "coding_track_file_change", {
        project_id,
        file_path: i % 2 ? "src/auth.py" : `src/cache_layer_${i}.py`,
        action: i % 4 === 0 ? "create" : "edit",
        reason: i % 2 ? "Harden authentication token checks" : "Tune cache expiry",
      });
    }
    const context = await callTool(client, "coding_get_project_context", { project_id, focus: "authentication" });
    expect(context.isError, context.text).toBe(false);
    expect(context.data.decisions.map((d: { decision: string }) => d.decision)).toEqual([
      "Use JWT tokens for authentication",
    ]);
    expect(context.data.recent_changes.every((c: { file_path: string }) => c.file_path === "src/auth.py")).toBe(true);
    expect(context.data.stack.map((s: { name: string }) => s.name)).toContain("Python");
    expect(context.text).toContain("# Project context");
    expect(context.data.estimated_tokens).toBeLessThanOrEqual(1500);

    const patterns = await callTool(client, "coding_analyze_patterns", { project_id });
    expect(patterns.isError, patterns.text).toBe(false);
    expect(patterns.data.status).toBe("ok");
    expect(patterns.data.change_count).toBe(12);
    expect(patterns.data.hot_files[0]).toEqual({ file_path: "src/auth.py", changes: 6 });
    expect(patterns.data.actions.find((a: { action: string }) => a.action === "create").count).toBe(3);
  }, 35_000); // 19 calls

  it("accepts JSON-encoded lists and names the field when one is malformed", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    const project_id = uniqueName("lists");
    const bad = await callTool(client, "coding_start_session", { project_id, description: "x", tags: '["a",' });
    expect(bad.isError).toBe(true);
    expect(bad.text).toContain("tags");
    const notStrings = await callTool(client, "coding_start_session", { project_id, description: "x", tags: "[1,2]" });
    expect(notStrings.isError).toBe(true);
    const ok = await callTool(client, "coding_start_session", { project_id, description: "x", tags: ["a", "b"] });
    expect(ok.data.tags).toEqual(["a", "b"]);
  }, 20_000); // 4 calls
});

describe("session linking of recurring errors", () => {
  it("counts an older error that recurs during a session in that session's digest", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    const project_id = uniqueName("recur");
    const args = { project_id, error_type: "KeyError", message: "'user_id'" };
    const before = await callTool(client, "coding_record_error", args);
    expect(before.data.session_id).toBeNull();
    const started = await callTool(client, "coding_start_session", { project_id, description: "debug" });
    const again = await callTool(client, "coding_record_error", args);
    expect(again.data).toMatchObject({
      error_id: before.data.error_id,
      occurrences: 2,
      session_id: started.data.session_id,
    });
    const resolved = await callTool(client, "coding_resolve_error", {
      project_id,
      error_id: before.data.error_id,
      solution: "Read user_id with .get() and reject the request when missing",
    });
    expect(resolved.data.session_id).toBe(started.data.session_id);
    const ended = await callTool(client, "coding_end_session", { project_id });
    expect(ended.data.counts).toEqual({ file_changes: 0, errors: 1, decisions: 0 });
    expect(ended.data.errors_resolved).toBe(1);
  }, 25_000); // 7 calls
});
