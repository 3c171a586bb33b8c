import type { Client } from "@modelcontextprotocol/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { z } from "zod";
import { tools } from "../../src/mcp/registry";
import { contextViewSchema } from "../../src/views/context";
import { decisionViewSchema, errorViewSchema, fileChangeViewSchema, sessionViewSchema } from "../../src/views/records";
import { callTool, interceptOpenAi, mcpClient, newUser, rest, uniqueName, type OpenAiFake } from "../helpers";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** Time fields of the views: every one an ISO-8601 string (or null), never epoch milliseconds. */
const TIME_KEY = /(_at|^first_seen|^last_seen)$/;
/** Fields that are storage internals and must never reach a client. */
const INTERNAL_KEYS = ["fingerprint", "search_terms", "searchTerms", "vector_model", "vectorModel", "projectId"];

/** Every key, depth first, with its path, for the naming checks. */
function entries(value: unknown, path = ""): Array<{ path: string; key: string; value: unknown }> {
  if (Array.isArray(value)) return value.flatMap((item, index) => entries(item, `${path}[${index}]`));
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => [
    { path: `${path}.${key}`, key, value: child },
    ...entries(child, `${path}.${key}`),
  ]);
}

/** The API's conventions: snake_case keys, ISO-8601 times, no internal fields. */
function expectConventions(data: unknown, where: string): void {
  for (const { path, key, value } of entries(data)) {
    // Keys under `omitted` and the model's own answer fields are data, but they are snake_case too.
    expect(key, `${where}${path}: camelCase key`).not.toMatch(/[a-z][A-Z]/);
    // (A search hit's `signals.fingerprint` is a 0/1 score; the fingerprint hash itself is a string.)
    if (typeof value === "string" || key !== "fingerprint") {
      expect(INTERNAL_KEYS, `${where}${path}: internal field`).not.toContain(key);
    }
    if (TIME_KEY.test(key) && value !== null && value !== undefined) {
      expect(value, `${where}${path}: not an ISO-8601 time`).toMatch(ISO);
    }
  }
}

/**
 * The explicit check of a result against its tool's zod outputSchema (the SDK client checks the advertised JSON
 * Schema on every call as well): it parses, and parsing drops nothing, so no field is missing from the schema.
 */
function expectOutput(name: string, data: Record<string, unknown>): void {
  const tool = tools.find((candidate) => candidate.name === name);
  expect(tool, name).toBeDefined();
  const parsed = (tool?.outputSchema as z.ZodObject).safeParse(data);
  expect(parsed.success, `${name}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
  expect(parsed.data, `${name}: fields the outputSchema does not declare`).toEqual(data);
  expectConventions(data, name);
}

/** The tools `call` has checked a result of, so the every-tool test can say none was left out. */
const called = new Set<string>();

async function call(client: Client, name: string, args: Record<string, unknown>) {
  called.add(name);
  const result = await callTool(client, name, args);
  expect(result.isError, `${name}: ${result.text}`).toBe(false);
  expectOutput(name, result.data);
  return result;
}

const ADVICE = JSON.stringify({
  root_cause: "A naive datetime is compared with an aware one.",
  fix_steps: ["Use datetime.now(timezone.utc)"],
  confidence: "high",
  based_on: [],
  alternatives: [],
  debugging_tips: [],
  prevention: null,
});

let openAi: OpenAiFake;
beforeEach(() => {
  openAi = interceptOpenAi(() => ADVICE, { prompt_tokens: 300, completion_tokens: 60 });
});
afterEach(() => openAi.restore());

// Many calls per test: an explicit budget, so a loaded machine does not fail them (no test depends on speed).
describe("shapes: one view per record kind, every tool with an outputSchema", { timeout: 120_000 }, () => {
  it("lists every tool with an outputSchema, in a compact list", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    const listed = (await client.listTools()).tools;
    expect(listed.map((tool) => tool.name).sort()).toEqual(tools.map((tool) => tool.name).sort());
    for (const tool of listed) {
      expect(tool.outputSchema?.type, tool.name).toBe("object");
      // user_id is accepted (the original product's clients send it) but not advertised; project_id always is.
      expect(Object.keys(tool.inputSchema.properties ?? {}), tool.name).toContain("project_id");
      expect(JSON.stringify(tool.inputSchema), tool.name).not.toMatch(/"(pattern|maxLength|\$schema)"/);
    }
    // What the model's context pays for: everything but the display title and the output schemas.
    const paid = listed.map(({ title: _title, outputSchema: _output, ...rest }) => rest);
    expect(new TextEncoder().encode(JSON.stringify({ tools: paid })).length).toBeLessThanOrEqual(12 * 1024);
    const search = listed.find((tool) => tool.name === "coding_search_errors");
    expect(search?.inputSchema.properties?.since).toMatchObject({ type: "string" });
    expect(JSON.stringify(search?.inputSchema.properties?.since).length).toBeLessThan(120);
  });

  it("calls every tool over MCP; each result matches its outputSchema and the API's conventions", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    await client.listTools(); // the SDK client validates structuredContent against outputSchema from here on
    const project_id = uniqueName("shapes");
    // A model, and a zero approval threshold: every LLM operation is held, to approve and deny.
    await call(client, "coding_update_settings", { project_id, model: "gpt-4o-mini", cost_threshold: 0 });
    const session = await call(client, "coding_start_session", { project_id, description: "Shapes", tags: ["x"] });
    for (let i = 0; i < 11; i++) {
      await call(client, "coding_track_file_change", {
        project_id,
        file_path: i % 2 ? "src/auth.py" : `src/cache_${i}.py`,
        action: "edit",
        reason: "tune",
        diff: "+ x = 1",
      });
    }
    const error = await call(client, "coding_record_error", {
      project_id,
      error_type: "TypeError",
      message: "can't compare offset-naive and offset-aware datetimes",
      stack_trace: 'Traceback (most recent call last):\n  File "src/auth.py", line 42, in check\nTypeError: x',
      file_path: "src/auth.py",
      line_number: 42,
    });
    expect(error.data.first_seen).toMatch(ISO);
    await call(client, "coding_record_error", {
      project_id,
      error_type: "TypeError",
      message: "can't compare offset-naive and offset-aware datetimes",
    });
    await call(client, "coding_resolve_error", {
      project_id,
      error_id: error.data.error_id,
      solution: "Use datetime.now(timezone.utc)",
    });
    const decision = await call(client, "coding_record_decision", {
      project_id,
      decision: "Store times as aware UTC datetimes",
      rationale: "Comparisons stay valid",
      related_files: ["src/auth.py", "src/tokens.py"],
    });
    await call(client, "coding_track_file_change", {
      project_id,
      file_path: "src/auth.py",
      action: "edit",
      reason: "aware datetimes",
      implements_decision_id: decision.data.decision_id,
    });
    await call(client, "coding_get_decision_implementation_status", {
      project_id,
      decision_id: decision.data.decision_id,
    });
    const found = await call(client, "coding_search_errors", {
      project_id,
      query: "compare naive aware datetime",
      since: "2020-01-01",
    });
    expect(found.data.count).toBeGreaterThan(0);
    const solutions = await call(client, "coding_get_solutions_for_error", {
      project_id,
      error_id: error.data.error_id,
      ai: true,
    });
    expect(solutions.data.ai_suggestion.state).toBe("approval_required");
    await call(client, "coding_get_project_context", { project_id });
    await call(client, "coding_get_project_context", { project_id, max_tokens: 200, compress: true });
    const patterns = await call(client, "coding_analyze_patterns", { project_id });
    expect(patterns.data.preferences.state).toBe("approval_required");
    await call(client, "coding_analyze_diagram", {
      project_id,
      diagram_source: "flowchart LR\n  web[Web app] --> api[API]\n  api --> db[(Postgres)]",
      title: "Checkout",
    });
    await call(client, "coding_index_files", {
      project_id,
      files: [
        { path: "src/a.ts", content: "import { b } from './b';\nexport const a = b;" },
        { path: "src/b.ts", content: "export const b = 1;" },
        { path: "src/a.test.ts", content: "import { a } from './a';" },
      ],
    });
    await call(client, "coding_analyze_file_dependencies", { project_id, file_path: "src/a.ts" });
    await call(client, "coding_analyze_refactor_impact", { project_id, file_path: "src/b.ts" });
    await call(client, "coding_suggest_refactor_order", { project_id, files: ["src/a.ts", "src/b.ts"] });
    const approved = await call(client, "coding_approve", {
      project_id,
      approval_id: solutions.data.ai_suggestion.approval_id,
    });
    expect(approved.data.ai_suggestion.state).toBe("ready");
    await call(client, "coding_deny", { project_id, approval_id: patterns.data.preferences.approval_id });
    await call(client, "coding_get_costs", { project_id });
    await call(client, "coding_end_session", { project_id, success: true });
    const got = await call(client, "coding_get_session", { project_id, session_id: session.data.session_id });
    expect(got.data.status).toBe("ended");
    expect([...called].sort()).toEqual(tools.map((tool) => tool.name).sort());
  });

  it("lists records over REST in the tools' views, a page at a time, saying when the list is cut", async () => {
    const { token } = await newUser();
    const project = uniqueName("rest-shapes");
    const base = `/api/v1/projects/${project}`;
    await rest(token, "POST", `${base}/sessions`, { description: "REST shapes" });
    for (const file of ["a.py", "b.py"]) {
      await rest(token, "POST", `${base}/changes`, { file_path: file, action: "edit", reason: "r", diff: "+ 1" });
    }
    await rest(token, "POST", `${base}/errors`, { error_type: "KeyError", message: "'user_id'", tags: ["api"] });
    await rest(token, "POST", `${base}/decisions`, { decision: "Use zod", rationale: "One schema" });

    const listings: Array<[string, z.ZodObject]> = [
      ["errors", errorViewSchema],
      ["sessions", sessionViewSchema],
      ["decisions", decisionViewSchema],
      ["changes", fileChangeViewSchema],
    ];
    for (const [path, schema] of listings) {
      const page = await rest(token, "GET", `${base}/${path}`);
      expect(page.status, path).toBe(200);
      expect(page.body).toMatchObject({ next_cursor: null, truncated: false });
      expect(page.body.items.length, path).toBeGreaterThan(0);
      for (const item of page.body.items) {
        expect(schema.parse(item), `${path}: fields outside the view`).toEqual(item);
      }
      expectConventions(page.body, `GET /${path}`);
    }
    const first = await rest(token, "GET", `${base}/changes?limit=1`);
    expect(first.body).toMatchObject({ truncated: true, next_cursor: expect.any(String) });
    const last = await rest(
      token,
      "GET",
      `${base}/changes?limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`,
    );
    expect(last.body).toMatchObject({ truncated: false, next_cursor: null });
    expect(last.body.items[0].change_id).not.toBe(first.body.items[0].change_id);

    const [error] = (await rest(token, "GET", `${base}/errors`)).body.items;
    expect(error).toMatchObject({ error_type: "KeyError", tags: ["api"], source: "user", resolved: false });
    expect(error.first_seen).toMatch(ISO);

    const context = await rest(token, "GET", `${base}/context`);
    expect(contextViewSchema.parse(context.body)).toEqual(context.body);
    expectConventions(context.body, "GET /context");
    expect(context.body.project_id).toBe(project);
    expect(context.body.active_session).toMatchObject({ description: "REST shapes", started_at: expect.any(String) });
    expect(context.body.truncated).toBe(false);
    // Counts agree in number in the rendered text.
    expect(context.body.markdown).toContain("2 file changes · 1 error (1 open) · 1 decision · 1 session recorded.");
    const end = await rest(token, "POST", `${base}/sessions/end`, {});
    expect(end.status).toBe(200);
  });

  it("says what a date filter expects, over MCP and REST alike, and reads real dates only", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    const project_id = uniqueName("dates");
    await call(client, "coding_record_error", { project_id, error_type: "E", message: "one change" });
    const expected = "since: expected an ISO-8601 date such as 2026-12-01 or 2026-12-01T10:00:00Z";
    for (const since of ["last tuesday", "2026-02-30", "2026-13-01", "2026-12-01T25:00:00Z", "12/01/2026"]) {
      const bad = await callTool(client, "coding_search_errors", { project_id, query: "change", since });
      expect(bad.isError, since).toBe(true);
      expect(bad.text, since).toContain(expected);
      expect(bad.data.error).toMatchObject({ code: "invalid_input", details: { fields: [{ field: "since" }] } });
      const viaRest = await rest(token, "POST", `/api/v1/projects/${project_id}/errors/search`, {
        query: "change",
        since,
      });
      expect(viaRest.status, since).toBe(400);
      expect(JSON.stringify(viaRest.body), since).toContain(expected);
    }
    for (const since of ["2020-01-01", "2020-01-01T10:00:00Z", "2020-01-01T10:00:00.5+02:00"]) {
      const good = await call(client, "coding_search_errors", { project_id, query: "one change", since });
      expect(good.data.count, since).toBe(1);
    }
    const future = await call(client, "coding_search_errors", { project_id, query: "one change", since: "2999-01-01" });
    expect(future.data.count).toBe(0);
  });

  it("renders counts in the right number", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    const project_id = uniqueName("plural");
    await call(client, "coding_start_session", { project_id, description: "one of each" });
    await call(client, "coding_track_file_change", { project_id, file_path: "a.py", action: "edit", reason: "r" });
    const error = await call(client, "coding_record_error", { project_id, error_type: "E", message: "once" });
    const again = await call(client, "coding_record_error", { project_id, error_type: "E", message: "once" });
    expect(again.text).toContain("seen 2 times");
    await call(client, "coding_resolve_error", { project_id, error_id: error.data.error_id, solution: "fix" });
    const context = await call(client, "coding_get_project_context", { project_id });
    expect(context.text).toContain("1 file change · 1 error (0 open) · 0 decisions · 1 session recorded.");
    expect(context.text).toContain("(1 change)");
    const found = await call(client, "coding_search_errors", { project_id, query: "once" });
    expect(found.text).toContain("Found 1 similar error:");
    expect(found.text).toContain("seen 2 times");
    const ended = await call(client, "coding_end_session", { project_id });
    expect(ended.text).toContain("1 change, 1 error, 0 decisions.");
    expect(ended.data.summary).toContain("1 file change across 1 file, 1 error (1 resolved, 0 open), 0 decisions.");
    for (const text of [context.text, found.text, ended.text, ended.data.summary as string]) {
      expect(text).not.toMatch(/\b1 (errors|changes|sessions|decisions|files|times)\b|\(s\)/);
    }
  });
});
