import { describe, expect, it } from "vitest";
import { callTool, mcpClient, newUser, rest, uniqueName } from "../helpers";

/**
 * A small repository mixing what real ones do: TypeScript with a tsconfig `extends` chain and `paths`
 * aliases, package.json `#imports`, `import type`, re-exports, require and dynamic import; a Python package in
 * the src layout with relative imports; an import cycle; a file that does not parse; a file type not indexed.
 */
const REPO: Record<string, string> = {
  "tsconfig.base.json": `{
    // comments and trailing commas are allowed in tsconfig
    "compilerOptions": { "baseUrl": ".", "paths": { "@lib/*": ["src/lib/*"], }, },
  }`,
  "tsconfig.json": `{ "extends": "./tsconfig.base.json", "compilerOptions": { "strict": true } }`,
  "package.json": JSON.stringify({
    name: "fixture",
    imports: { "#config": { types: "./src/config.ts", default: "./dist/config.js" } },
  }),
  "src/main.ts": `import { start } from "./server";\nimport "@lib/log";\nconst lazy = () => import("./routes/admin");\nexport { start, lazy };`,
  "src/server.ts": `import express from "express";\nimport { users } from "./routes/users.js";\nimport config from "#config";\nexport function start() { return express(users, config); }`,
  "src/routes/users.ts": `import type { User } from "../models/user";\nimport { db } from "@lib/db";\nexport const users: User[] = db;`,
  "src/routes/admin.ts": `const users = require("./users");\nexport default users;`,
  "src/models/user.ts": `export interface User { id: string }\n// import "./not-real" in a comment never counts\nexport const note = "import('./also-not-real')";`,
  "src/lib/db.ts": `import { log } from "./log";\nexport * from "./pool";\nexport const db = [];`,
  "src/lib/log.ts": `export function log() {}`,
  "src/lib/pool.ts": `import { db } from "./db";\nexport const pool = db;`,
  "src/config.ts": `export default { port: 8080 };`,
  "src/broken.ts": `export const = ;`,
  "test/server.test.ts": `import { start } from "../src/server";\nimport { missing } from "./helpers";\nstart();`,
  "README.md": "# not code",
  "py/src/shop/__init__.py": "",
  "py/src/shop/cart.py": `from .pricing import (\n    total,\n    tax,\n)\nimport json\ntry:\n    from . import payments\nexcept ImportError:\n    payments = None\n`,
  "py/src/shop/pricing.py": `"""import shop.cart -- inside a docstring, never an import"""\nfrom decimal import Decimal\n`,
  "py/src/shop/payments.py": `from shop.pricing import total  # absolute, under the src root\n`,
  "py/tests/test_cart.py": `from shop import cart\n`,
};

function upload(files: Record<string, string>) {
  return Object.entries(files).map(([path, content]) => ({ path, content }));
}

async function indexRepo(token: string, project: string, files = REPO) {
  const res = await rest(token, "POST", `/api/v1/projects/${project}/files`, { files: upload(files) });
  expect(res.status).toBe(200);
  return res.body;
}

describe("code import graph: ingestion, analyses, tools", () => {
  it("indexes a mixed TS/Python repository over REST and resolves aliases, extends, #imports and packages", async () => {
    const { token } = await newUser();
    const project = uniqueName("graph");
    const report = await indexRepo(token, project);
    expect(report.indexed).toHaveLength(Object.keys(REPO).length - 1);
    expect(report.skipped).toEqual([{ path: "README.md", reason: expect.stringContaining("not a") }]);
    expect(report.parse_errors).toEqual([{ path: "src/broken.ts", reason: expect.any(String) }]);
    expect(report.graph).toMatchObject({ cycles: 1, files: 16, parse_errors: 1 });

    const graph = await rest(token, "GET", `/api/v1/projects/${project}/code/graph`);
    expect(graph.status).toBe(200);
    const edges = new Set(graph.body.edges.map((edge: { from: string; to: string }) => `${edge.from} -> ${edge.to}`));
    expect([...edges].sort()).toEqual(
      [
        "py/src/shop/cart.py -> py/src/shop/__init__.py",
        "py/src/shop/cart.py -> py/src/shop/payments.py",
        "py/src/shop/cart.py -> py/src/shop/pricing.py",
        "py/src/shop/payments.py -> py/src/shop/pricing.py",
        "py/tests/test_cart.py -> py/src/shop/__init__.py",
        "py/tests/test_cart.py -> py/src/shop/cart.py",
        "src/lib/db.ts -> src/lib/log.ts",
        "src/lib/db.ts -> src/lib/pool.ts",
        "src/lib/pool.ts -> src/lib/db.ts",
        "src/main.ts -> src/lib/log.ts",
        "src/main.ts -> src/routes/admin.ts",
        "src/main.ts -> src/server.ts",
        "src/routes/admin.ts -> src/routes/users.ts",
        "src/routes/users.ts -> src/lib/db.ts",
        "src/routes/users.ts -> src/models/user.ts",
        "src/server.ts -> src/config.ts",
        "src/server.ts -> src/routes/users.ts",
        "test/server.test.ts -> src/server.ts",
      ].sort(),
    );
    expect(graph.body.external).toEqual(
      expect.arrayContaining([
        { from: "src/server.ts", name: "express" },
        { from: "py/src/shop/cart.py", name: "json" },
      ]),
    );
    expect(graph.body.unresolved).toEqual([{ from: "test/server.test.ts", specifier: "./helpers" }]);
    expect(graph.body.cycles).toEqual([["src/lib/db.ts", "src/lib/pool.ts", "src/lib/db.ts"]]);
    const kinds = graph.body.edges.find(
      (e: { from: string; to: string }) => e.from === "src/routes/users.ts" && e.to === "src/models/user.ts",
    );
    expect(kinds.kinds).toEqual(["type"]);

    const manifest = await rest(token, "GET", `/api/v1/projects/${project}/files`);
    expect(manifest.body.count).toBe(19);
    expect(manifest.body.files[0]).toMatchObject({
      path: "package.json",
      language: "config",
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("answers the three seed tools over MCP with structured data and the 📊/🔍/📋 renderings", async () => {
    const { token } = await newUser();
    const project = uniqueName("graph");
    await indexRepo(token, project);
    const client = await mcpClient(token);

    const deps = await callTool(client, "coding_analyze_file_dependencies", {
      project_id: project,
      file_path: "src/lib/db.ts",
    });
    expect(deps.isError).toBe(false);
    expect(deps.data).toMatchObject({
      file_path: "src/lib/db.ts",
      imports: ["src/lib/log.ts", "src/lib/pool.ts"],
      imported_by: ["src/lib/pool.ts", "src/routes/users.ts"],
      import_depth: 1,
      circular_deps: [["src/lib/db.ts", "src/lib/pool.ts", "src/lib/db.ts"]],
    });
    expect(deps.text).toContain("📊 Dependency Analysis: src/lib/db.ts");
    expect(deps.text).toContain("⚠️ Circular Dependency: src/lib/db.ts → src/lib/pool.ts → src/lib/db.ts");

    const main = await callTool(client, "coding_analyze_file_dependencies", {
      project_id: project,
      file_path: "src/main.ts",
    });
    expect(main.data.import_depth).toBe(4); // main → server → users → db ⇄ pool (one group) → log
    expect(main.text).toContain("✅ No Circular Dependencies");

    // An absolute path from a stack trace finds the indexed file.
    const absolute = await callTool(client, "coding_analyze_file_dependencies", {
      project_id: project,
      file_path: "/home/dev/fixture/py/src/shop/cart.py",
    });
    expect(absolute.data.file_path).toBe("py/src/shop/cart.py");
    expect(absolute.data.external_imports).toEqual(["json"]);

    const impact = await callTool(client, "coding_analyze_refactor_impact", {
      project_id: project,
      file_path: "src/lib/db.ts",
    });
    expect(impact.data).toMatchObject({
      direct_dependents: ["src/lib/pool.ts", "src/routes/users.ts"],
      affected_count: 6,
      risk_level: "medium",
      tests_to_run: ["test/server.test.ts"],
    });
    // Nearest first: direct dependents, then those reaching it through them.
    expect(impact.data.affected_files).toEqual([
      "src/lib/pool.ts",
      "src/routes/users.ts",
      "src/routes/admin.ts",
      "src/server.ts",
      "src/main.ts",
      "test/server.test.ts",
    ]);
    expect(impact.text).toContain("🔍 Refactoring Impact Analysis: src/lib/db.ts");
    expect(impact.text).toContain("Risk Level: ⚠️ MEDIUM");
    expect(impact.text).toContain("6 files depend on this - test thoroughly (2 directly, the rest through them)");

    const leaf = await callTool(client, "coding_analyze_refactor_impact", {
      project_id: project,
      file_path: "src/main.ts",
    });
    expect(leaf.data).toMatchObject({ risk_level: "low", affected_count: 0 });

    // The seed's clients send `files` as a JSON-encoded string; a cycle is one flagged step, never an exception.
    const order = await callTool(client, "coding_suggest_refactor_order", {
      project_id: project,
      files: '["src/main.ts", "src/lib/pool.ts", "src/routes/users.ts", "src/lib/db.ts", "src/lib/log.ts"]',
    });
    expect(order.isError).toBe(false);
    expect(order.data.order).toEqual([
      "src/lib/log.ts",
      "src/lib/db.ts",
      "src/lib/pool.ts",
      "src/routes/users.ts",
      "src/main.ts",
    ]);
    expect(order.data.steps[1]).toMatchObject({ files: ["src/lib/db.ts", "src/lib/pool.ts"], cycle: true });
    expect(order.data.steps[2]).toMatchObject({
      files: ["src/routes/users.ts"],
      after: ["src/lib/db.ts", "src/lib/log.ts", "src/lib/pool.ts"],
    });
    expect(order.text).toContain("📋 Suggested Refactoring Order:");
    expect(order.text).toContain("1. src/lib/log.ts");
    expect(order.text).toContain("🔁 together (import cycle): src/lib/db.ts, src/lib/pool.ts");

    // REST mirrors the tools.
    const restImpact = await rest(token, "GET", `/api/v1/projects/${project}/code/impact?file_path=src/lib/log.ts`);
    expect(restImpact.status).toBe(200);
    // log.ts: 2 direct dependents (main, db), 7 in all → medium.
    expect(restImpact.body).toMatchObject({ risk_level: "medium", affected_count: 7 });
    await client.close();
  });

  it("tells how to index when a file is not in the index, and refuses bad paths naming the field", async () => {
    const { token } = await newUser();
    const project = uniqueName("graph");
    const client = await mcpClient(token);
    await callTool(client, "coding_start_session", { project_id: project, description: "graph" });
    const empty = await callTool(client, "coding_analyze_file_dependencies", {
      project_id: project,
      file_path: "src/a.ts",
    });
    expect(empty.isError).toBe(true);
    expect(empty.text).toContain("has no indexed code yet");
    expect(empty.text).toContain("npx coding-memory index .");

    await indexRepo(token, project);
    const missing = await callTool(client, "coding_suggest_refactor_order", {
      project_id: project,
      files: ["src/main.ts", "src/nope.ts"],
    });
    expect(missing.isError).toBe(true);
    expect(missing.text).toContain('"src/nope.ts" is not in the code index');

    const escape = await rest(token, "POST", `/api/v1/projects/${project}/files`, {
      files: [{ path: "../etc/passwd.py", content: "" }],
    });
    expect(escape.status).toBe(400);
    expect(escape.body.error.message).toContain("files.0.path");
    const absolute = await rest(token, "POST", `/api/v1/projects/${project}/files`, {
      files: [{ path: "/abs/x.py", content: "" }],
    });
    expect(absolute.status).toBe(400);
    const twice = await rest(token, "POST", `/api/v1/projects/${project}/files`, {
      files: [
        { path: "a.py", content: "" },
        { path: "./a.py", content: "" },
      ],
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toContain("appears twice");
    await client.close();
  });

  it("re-indexes incrementally by content hash, handles deletions, and marks memories about changed files stale", async () => {
    const { token } = await newUser();
    const project = uniqueName("graph");
    await indexRepo(token, project);
    const client = await mcpClient(token);

    const again = await indexRepo(token, project);
    expect(again.indexed).toEqual([]);
    expect(again.unchanged).toBe(Object.keys(REPO).length - 1);

    const error = await callTool(client, "coding_record_error", {
      project_id: project,
      error_type: "TypeError",
      message: "pool is undefined",
      file_path: "/home/dev/fixture/src/lib/pool.ts",
    });
    const decision = await callTool(client, "coding_record_decision", {
      project_id: project,
      decision: "Keep the pool in the db module",
      rationale: "One connection owner",
      related_files: ["src/lib/db.ts"],
    });
    let context = await callTool(client, "coding_get_project_context", { project_id: project });
    expect(context.data.open_errors[0].possibly_stale).toBeUndefined();

    // pool.ts no longer imports db.ts: the cycle disappears; db.ts is deleted.
    const changed = await rest(token, "POST", `/api/v1/projects/${project}/files`, {
      files: [{ path: "src/lib/pool.ts", content: "export const pool = [];" }],
      deleted: ["src/lib/db.ts", "never/indexed.ts"],
    });
    expect(changed.body).toMatchObject({
      indexed: ["src/lib/pool.ts"],
      deleted: ["src/lib/db.ts"],
      graph: { cycles: 0 },
    });

    context = await callTool(client, "coding_get_project_context", { project_id: project });
    const staleError = context.data.open_errors.find((e: { error_id: string }) => e.error_id === error.data.error_id);
    expect(staleError.possibly_stale).toEqual([
      { path: "src/lib/pool.ts", changed_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/), deleted: false },
    ]);
    const staleDecision = context.data.decisions.find(
      (d: { decision_id: string }) => d.decision_id === decision.data.decision_id,
    );
    expect(staleDecision.possibly_stale).toEqual([
      { path: "src/lib/db.ts", changed_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/), deleted: true },
    ]);
    expect(context.text).toContain("⚠️ possibly stale: `src/lib/pool.ts` changed since");

    const gone = await callTool(client, "coding_analyze_file_dependencies", {
      project_id: project,
      file_path: "src/lib/db.ts",
    });
    expect(gone.isError).toBe(true);
    const users = await callTool(client, "coding_analyze_file_dependencies", {
      project_id: project,
      file_path: "src/routes/users.ts",
    });
    expect(users.data.unresolved_imports).toEqual([]);
    expect(users.data.external_imports).toEqual(["@lib/db"]); // the alias target is gone: now unresolvable

    // Deleted and re-added: indexed again.
    const back = await rest(token, "POST", `/api/v1/projects/${project}/files`, {
      files: [{ path: "src/lib/db.ts", content: REPO["src/lib/db.ts"] }],
    });
    expect(back.body.indexed).toEqual(["src/lib/db.ts"]);
    await client.close();
  });

  it("keeps each project's index to its members; a_c never sees abc", async () => {
    const owner = await newUser();
    const stranger = await newUser();
    const suffix = crypto.randomUUID().slice(0, 6);
    await indexRepo(owner.token, `abc${suffix}`);
    await indexRepo(owner.token, `a_c${suffix}`, { "only.py": "import os\n" });
    const other = await rest(owner.token, "GET", `/api/v1/projects/a_c${suffix}/code/graph`);
    expect(other.body.files).toEqual(["only.py"]);
    for (const path of ["code/graph", "files", "code/dependencies?file_path=src/main.ts"]) {
      const res = await rest(stranger.token, "GET", `/api/v1/projects/abc${suffix}/${path}`);
      expect(res.status).toBe(404);
    }
    const write = await rest(stranger.token, "POST", `/api/v1/projects/abc${suffix}/files`, {
      files: upload({ "x.py": "" }),
    });
    expect(write.status).toBe(404);
  });
});

describe("decision → implementation, and memory graph edges", () => {
  it("tracks implementation progress inside a session and exposes error → solution and change → decision edges", async () => {
    const { token } = await newUser();
    const project = uniqueName("impl");
    const client = await mcpClient(token);
    await callTool(client, "coding_start_session", { project_id: project, description: "JWT auth" });
    const decision = await callTool(client, "coding_record_decision", {
      project_id: project,
      decision: "Implement JWT authentication",
      rationale: "Stateless auth for scaling",
      related_files: '["src/auth.py", "src/middleware.py", "src/config.py"]',
    });
    expect(decision.isError).toBe(false);
    const decisionId = decision.data.decision_id;

    let status = await callTool(client, "coding_get_decision_implementation_status", {
      project_id: project,
      decision_id: decisionId,
    });
    expect(status.data).toMatchObject({
      completion: 0,
      pending_files: ["src/auth.py", "src/middleware.py", "src/config.py"],
    });

    const change = await callTool(client, "coding_track_file_change", {
      project_id: project,
      file_path: "src/auth.py",
      action: "create",
      reason: "Implement JWT auth",
      implements_decision_id: decisionId,
    });
    expect(change.isError).toBe(false);
    await callTool(client, "coding_track_file_change", {
      project_id: project,
      file_path: "src/tokens.py",
      action: "create",
      reason: "Token helpers for JWT",
      implements_decision_id: decisionId,
    });
    status = await callTool(client, "coding_get_decision_implementation_status", {
      project_id: project,
      decision_id: decisionId,
    });
    expect(status.data.completion).toBeCloseTo(1 / 3);
    expect(status.data).toMatchObject({
      implemented_files: ["src/auth.py"],
      pending_files: ["src/middleware.py", "src/config.py"],
      additional_files: ["src/tokens.py"],
    });
    expect(status.text).toContain("Progress: 33% (1 of 3 files implemented)");

    const rest200 = await rest(token, "GET", `/api/v1/projects/${project}/decisions/${decisionId}/implementation`);
    expect(rest200.status).toBe(200);
    expect(rest200.body.pending_files).toEqual(["src/middleware.py", "src/config.py"]);
    const unknown = await callTool(client, "coding_get_decision_implementation_status", {
      project_id: project,
      decision_id: "nope",
    });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toContain("decision_id");
    const badLink = await callTool(client, "coding_track_file_change", {
      project_id: project,
      file_path: "src/x.py",
      action: "edit",
      reason: "x",
      implements_decision_id: "nope",
    });
    expect(badLink.isError).toBe(true);

    const error = await callTool(client, "coding_record_error", {
      project_id: project,
      error_type: "TypeError",
      message: "can't compare offset-naive and offset-aware datetimes",
      file_path: "src/auth.py",
      line_number: 42,
      solution: "Use datetime.now(timezone.utc) consistently",
    });
    const solved = await rest(
      token,
      "GET",
      `/api/v1/projects/${project}/graph/edges?node=error:${error.data.error_id}&relation=solved_by`,
    );
    expect(solved.status).toBe(200);
    expect(solved.body.edges).toEqual([
      {
        from: { type: "error", id: error.data.error_id },
        relation: "solved_by",
        to: { type: "solution", id: error.data.error_id },
        created_at: expect.any(String),
        label: "Use datetime.now(timezone.utc) consistently",
      },
    ]);
    const implementing = await rest(
      token,
      "GET",
      `/api/v1/projects/${project}/graph/edges?node=decision:${decisionId}&relation=implements`,
    );
    expect(implementing.body.edges).toHaveLength(2);
    expect(implementing.body.edges.map((e: { from: { id: string } }) => e.from.id)).toContain(change.data.change_id);
    const aboutFile = await rest(token, "GET", `/api/v1/projects/${project}/graph/edges?node=file:src/auth.py`);
    const relations = new Set(aboutFile.body.edges.map((e: { relation: string }) => e.relation));
    expect(relations).toEqual(new Set(["concerns", "about", "modifies"]));
    // Regression: a Windows path matches its file name at a backslash, as the error search's file filter does.
    const windows = await callTool(client, "coding_record_error", {
      project_id: project,
      error_type: "OSError",
      message: "disk full",
      file_path: "C:\\work\\api\\settings.py",
    });
    const byName = await rest(
      token,
      "GET",
      `/api/v1/projects/${project}/graph/edges?node=file:settings.py&relation=about`,
    );
    expect(byName.body.edges.map((e: { from: { id: string } }) => e.from.id)).toEqual([windows.data.error_id]);
    const bad = await rest(token, "GET", `/api/v1/projects/${project}/graph/edges?node=nocolon`);
    expect(bad.status).toBe(400);
    await client.close();
  });
});
