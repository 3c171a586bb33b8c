import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { D1CodeIndexStore } from "../../src/adapters/d1/code-index-store";
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
  "src/config.ts": `import wasm from "./schema.wasm";\nexport default { port: 8080, wasm };`,
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
    expect(report.graph).toMatchObject({ cycles: 1, files: 16, config_files: 3, asset_imports: 1, parse_errors: 1 });
    // Config files are indexed but are not graph nodes: the total counts both, and the text says which is which.
    expect(report.files_total).toBe(19);

    const graph = await rest(token, "GET", `/api/v1/projects/${project}/code/graph`);
    expect(graph.status).toBe(200);
    const edges = new Set(graph.body.edges.map((edge: { from: string; to: string }) => `${edge.from} -> ${edge.to}`));
    expect([...edges].sort()).toEqual(
      [
        "py/src/shop/cart.py -> py/src/shop/payments.py",
        "py/src/shop/cart.py -> py/src/shop/pricing.py",
        "py/src/shop/payments.py -> py/src/shop/pricing.py",
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
    expect(graph.body.assets).toEqual([{ from: "src/config.ts", specifier: "./schema.wasm" }]);
    expect(graph.body.cycles).toEqual([["src/lib/db.ts", "src/lib/pool.ts", "src/lib/db.ts"]]);
    expect(graph.body.cycle_groups).toEqual([
      {
        cycle: ["src/lib/db.ts", "src/lib/pool.ts", "src/lib/db.ts"],
        files: ["src/lib/db.ts", "src/lib/pool.ts"],
        type_only: false,
      },
    ]);
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
  }, 25_000); // 8 calls

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
  }, 25_000); // 7 calls

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
  }, 25_000); // 9 calls

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
    // Names are per team: the stranger's write makes a project of their own and never touches the owner's.
    const write = await rest(stranger.token, "POST", `/api/v1/projects/abc${suffix}/files`, {
      files: upload({ "x.py": "" }),
    });
    expect(write.status).toBe(200);
    const owners = await rest(owner.token, "GET", `/api/v1/projects/abc${suffix}/code/graph`);
    expect(owners.body.files).not.toContain("x.py");
  }, 25_000); // 7 calls
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
  }, 35_000); // 17 calls
});

describe("code graph regressions from real repositories", () => {
  it("resolves the root index.ts reached by '..', '../..', '.' and './': its impact counts the dependents", async () => {
    const { token } = await newUser();
    const project = uniqueName("rootidx");
    const report = await indexRepo(token, project, {
      "index.ts": `export * from "./src/core";`,
      "main.ts": `import { x } from ".";\nconsole.log(x);`,
      "cli.ts": `import { x } from "./";\nconsole.log(x);`,
      "src/core.ts": `export const x = 1;`,
      "src/plugin.ts": `import { x } from "..";\nexport const p = x;`,
      "src/deep/tool.ts": `import { x } from "../..";\nexport const t = x;`,
      "test/index.test.ts": `import { p } from "../src/plugin";\np;`,
    });
    expect(report.graph).toMatchObject({ unresolved_imports: 0, internal_edges: 6 });
    const impact = await rest(token, "GET", `/api/v1/projects/${project}/code/impact?file_path=index.ts`);
    expect(impact.status).toBe(200);
    expect(impact.body).toMatchObject({
      direct_dependents: ["cli.ts", "main.ts", "src/deep/tool.ts", "src/plugin.ts"],
      affected_count: 5,
      tests_to_run: ["test/index.test.ts"],
    });
    const client = await mcpClient(token);
    const viaMcp = await callTool(client, "coding_analyze_refactor_impact", {
      project_id: project,
      file_path: "index.ts",
    });
    expect(viaMcp.data).toMatchObject({ affected_count: 5, risk_level: "medium" });
    expect(viaMcp.text).toContain("Affected Files (5):");
    await client.close();
  });

  it("rebuilds a snapshot an older resolver stored, so the fixes reach projects indexed before them", async () => {
    const { token } = await newUser();
    const project = uniqueName("oldsnap");
    await indexRepo(token, project, {
      "index.ts": `export const x = 1;`,
      "src/plugin.ts": `import { x } from "..";\nexport const p = x;`,
    });
    // What the old resolver stored for this generation: version 1, the '..' import unresolved, no edge.
    const row = await env.DB.prepare("SELECT id FROM projects WHERE slug = ?").bind(project).first<{ id: string }>();
    const store = new D1CodeIndexStore(env.DB);
    const { generation } = await store.readSnapshot(row!.id);
    const old = {
      version: 1,
      generation,
      files: ["index.ts", "src/plugin.ts"],
      edges: [],
      external: [],
      unresolved: [[1, ".."]],
      parseErrors: [],
    };
    expect(await store.writeSnapshot(row!.id, generation, JSON.stringify(old))).toBe(true);
    const impact = await rest(token, "GET", `/api/v1/projects/${project}/code/impact?file_path=index.ts`);
    expect(impact.body).toMatchObject({ direct_dependents: ["src/plugin.ts"], affected_count: 1 });
    const stored = JSON.parse((await store.readSnapshot(row!.id)).snapshot as string);
    expect(stored).toMatchObject({ version: 2, generation, unresolved: [] });
  });

  it("labels a cycle only through type-only imports, and has no false Python package cycle", async () => {
    const { token } = await newUser();
    const project = uniqueName("typecycle");
    const report = await indexRepo(token, project, {
      "src/user.ts": `import type { Order } from "./order";\nexport interface User { orders: Order[] }`,
      "src/order.ts": `import { type User } from "./user";\nexport interface Order { user: User }`,
      "pkg/__init__.py": "from .client import Client\n",
      "pkg/client.py":
        "from . import models\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .views import View\n",
      "pkg/models.py": "",
      "pkg/views.py": "from .client import Client\n",
    });
    // Before the fix, `from . import models` added client → __init__ and with it a cycle __init__ ⇄ client.
    expect(report.graph).toMatchObject({ cycles: 2, type_only_cycles: 2 });
    const graph = await rest(token, "GET", `/api/v1/projects/${project}/code/graph`);
    expect(graph.body.cycle_groups).toEqual([
      {
        cycle: ["pkg/client.py", "pkg/views.py", "pkg/client.py"],
        files: ["pkg/client.py", "pkg/views.py"],
        type_only: true,
      },
      {
        cycle: ["src/order.ts", "src/user.ts", "src/order.ts"],
        files: ["src/order.ts", "src/user.ts"],
        type_only: true,
      },
    ]);
    const client = await mcpClient(token);
    const deps = await callTool(client, "coding_analyze_file_dependencies", {
      project_id: project,
      file_path: "src/user.ts",
    });
    expect(deps.data).toMatchObject({ cycle_type_only: true });
    expect(deps.text).toContain("Circular Dependency (type-only imports: no cycle at runtime)");
    const order = await callTool(client, "coding_suggest_refactor_order", {
      project_id: project,
      files: ["src/user.ts", "src/order.ts"],
    });
    expect(order.data.steps).toEqual([
      { step: 1, files: ["src/order.ts", "src/user.ts"], cycle: true, type_only: true, after: [] },
    ]);
    await client.close();
  });
});

describe("GET /graph/edges pagination", () => {
  type Edge = { from: { type: string; id: string }; relation: string; to: { type: string; id: string } };
  const key = (edge: Edge) => `${edge.from.type}:${edge.from.id} ${edge.relation} ${edge.to.type}:${edge.to.id}`;

  async function allPages(token: string, path: string, limit: number) {
    const pages: Array<{ edges: Edge[]; truncated: boolean; next_cursor: string | null }> = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes("?") ? "&" : "?";
      const res = await rest(
        token,
        "GET",
        `${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(res.status).toBe(200);
      pages.push(res.body);
      cursor = res.body.next_cursor;
      expect(res.body.truncated).toBe(cursor !== null);
    } while (cursor !== null && pages.length < 50);
    return pages;
  }

  it(
    "pages through more than 200 import edges with a cursor and says when a page is cut",
    { timeout: 120_000 },
    async () => {
      const { token } = await newUser();
      const project = uniqueName("edges");
      const files: Record<string, string> = { "src/shared.ts": "export const shared = 1;" };
      for (let i = 0; i < 250; i += 1) {
        files[`src/f/${String(i).padStart(3, "0")}.ts`] =
          `import { shared } from "../shared";\nexport const v${i} = shared;`;
      }
      await indexRepo(token, project, files);
      const pages = await allPages(token, `/api/v1/projects/${project}/graph/edges`, 100);
      expect(pages.map((page) => page.edges.length)).toEqual([100, 100, 50]);
      expect(pages.map((page) => page.truncated)).toEqual([true, true, false]);
      const all = pages.flatMap((page) => page.edges.map(key));
      expect(new Set(all).size).toBe(250);
      expect(all[0]).toBe("file:src/f/000.ts imports file:src/shared.ts");
      // The largest page is 200; asking for more is refused naming the field, and so is a forged cursor.
      const big = await rest(token, "GET", `/api/v1/projects/${project}/graph/edges?limit=200`);
      expect(big.body).toMatchObject({ truncated: true, next_cursor: expect.any(String) });
      expect(big.body.edges).toHaveLength(200);
      const tooMany = await rest(token, "GET", `/api/v1/projects/${project}/graph/edges?limit=201`);
      expect(tooMany.status).toBe(400);
      expect(JSON.stringify(tooMany.body)).toContain("limit");
      const forged = await rest(token, "GET", `/api/v1/projects/${project}/graph/edges?cursor=bm9wZQ`);
      expect(forged.status).toBe(400);
      expect(JSON.stringify(forged.body)).toContain("cursor");
    },
  );

  it("merges memory edges and imports in one stable order across small pages", { timeout: 120_000 }, async () => {
    const { token } = await newUser();
    const project = uniqueName("edgemix");
    await indexRepo(token, project, {
      "src/app.ts": `import "./a";\nimport "./b";\nimport "./c";`,
      "src/a.ts": `import "./b";`,
      "src/b.ts": `import "./c";`,
      "src/c.ts": `export {};`,
    });
    const client = await mcpClient(token);
    for (const [index, file] of ["src/a.ts", "src/b.ts", "src/c.ts"].entries()) {
      await callTool(client, "coding_record_error", {
        project_id: project,
        error_type: `E${index}Error`,
        message: `failure number ${index}`,
        file_path: file,
        solution: `fix number ${index}`,
      });
      await callTool(client, "coding_track_file_change", {
        project_id: project,
        file_path: file,
        action: "edit",
        reason: `change ${index}`,
      });
    }
    await client.close();
    const whole = await rest(token, "GET", `/api/v1/projects/${project}/graph/edges?limit=200`);
    expect(whole.body.truncated).toBe(false);
    expect(whole.body.next_cursor).toBeNull();
    const relations = whole.body.edges.map((edge: Edge) => edge.relation);
    expect(relations.filter((r: string) => r === "imports")).toHaveLength(5);
    expect(relations.filter((r: string) => r === "solved_by")).toHaveLength(3);
    expect(relations.filter((r: string) => r === "modifies")).toHaveLength(3);
    // Imports carry no time, so they come after every memory edge.
    expect(relations.slice(-5)).toEqual(Array(5).fill("imports"));
    for (const limit of [1, 4]) {
      const pages = await allPages(token, `/api/v1/projects/${project}/graph/edges`, limit);
      expect(pages.flatMap((page) => page.edges.map(key))).toEqual(whole.body.edges.map(key));
      expect(pages.at(-1)?.truncated).toBe(false);
    }
    // One file's edges (what it imports, what imports it, errors about it, changes to it) page the same way.
    const wholeB = await rest(token, "GET", `/api/v1/projects/${project}/graph/edges?node=file:src/b.ts&limit=200`);
    const pagesB = await allPages(token, `/api/v1/projects/${project}/graph/edges?node=file:src/b.ts`, 2);
    expect(pagesB.flatMap((page) => page.edges.map(key))).toEqual(wholeB.body.edges.map(key));
    expect(wholeB.body.edges.map(key)).toEqual(
      expect.arrayContaining(["file:src/a.ts imports file:src/b.ts", "file:src/b.ts imports file:src/c.ts"]),
    );
  });
});
