// `npm run deploy` (scripts/deploy.mjs) against a recorded fake of wrangler's commands (fake-wrangler.mjs, first
// on PATH), then the config it wrote checked by the real wrangler's `deploy --dry-run`, which works offline.
// Node-side (node:test): run with `npm run test:node`; .ci/run runs it after `npm test`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const FAKE = fileURLToPath(new URL("fake-wrangler.mjs", import.meta.url));
const REAL_WRANGLER = join(REPO, "node_modules/.bin/wrangler");

/** @type {string} */ let dir;
/** @type {string} */ let config;
/** @type {string} */ let statePath;
/** @type {string} */ let original;

/** An account with some of the resources already there, and others' resources beside them. */
function freshState(overrides = {}) {
  return {
    loggedIn: true,
    email: "ops@example.com",
    accounts: [{ id: "0123456789abcdef0123456789abcdef", name: "Example Org" }],
    subdomain: "example",
    d1: [
      {
        uuid: "11111111-2222-3333-4444-555555555555",
        name: "another-app",
        created_at: "2026-01-01T00:00:00.000Z",
        version: "production",
        num_tables: 3,
        file_size: 65536,
      },
    ],
    kv: [{ id: "aaaaaaaabbbbbbbbccccccccdddddddd", title: "another-app-cache", supports_url_encoding: true }],
    // Five others' queues and one of ours: ours is on the fake's second page.
    queues: ["a1", "a2", "a3", "a4", "a5", "coding-memory-summaries"].map((name, i) => ({
      queue_id: `q${i}`,
      queue_name: name,
    })),
    r2: ["another-app-assets", "coding-memory-screenshots"],
    vectorize: [],
    metadata: {},
    migrations: [],
    deploys: 0,
    calls: [],
    ...overrides,
  };
}

/** @param {string[]} args @param {Record<string, string>} [env] */
function deploy(args = [], env = {}) {
  const result = spawnSync(process.execPath, [join(REPO, "scripts/deploy.mjs"), "--config", config, ...args], {
    cwd: REPO,
    env: {
      ...process.env,
      PATH: `${join(dir, "bin")}:${process.env.PATH}`,
      FAKE_WRANGLER_STATE: statePath,
      CLOUDFLARE_ACCOUNT_ID: "",
      ...env,
    },
    encoding: "utf8",
  });
  return { ...result, state: JSON.parse(readFileSync(statePath, "utf8")) };
}

/** @param {any} state */
const creates = (state) =>
  state.calls
    .filter((/** @type {string[]} */ call) => call.includes("create") || call.includes("create-metadata-index"))
    .map((/** @type {string[]} */ call) =>
      call.filter((arg) => !arg.startsWith("--config") && arg !== config).join(" "),
    );

describe("npm run deploy", () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "cm-deploy-"));
    mkdirSync(join(dir, "bin"));
    const wrangler = join(dir, "bin/wrangler");
    writeFileSync(wrangler, `#!/bin/sh\nexec "${process.execPath}" "${FAKE}" "$@"\n`);
    chmodSync(wrangler, 0o755);
    // The repository's config, with the entry point and migrations as absolute paths so it works from here.
    original = readFileSync(join(REPO, "wrangler.toml"), "utf8")
      .replace(/^main = "src\/index.ts"$/m, `main = "${join(REPO, "src/index.ts")}"`)
      .replaceAll(/^migrations_dir = "migrations"$/gm, `migrations_dir = "${join(REPO, "migrations")}"`);
    config = join(dir, "wrangler.toml");
    writeFileSync(config, original);
    statePath = join(dir, "state.json");
    writeFileSync(statePath, JSON.stringify(freshState()));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("creates what is missing, records the ids, migrates, deploys and prints the MCP URL", () => {
    const run = deploy();
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.deepEqual(creates(run.state), [
      "d1 create coding-memory",
      "kv namespace create coding-memory-oauth-kv",
      "queues create coding-memory-error-index",
      "queues create coding-memory-error-index-dlq",
      "queues create coding-memory-summaries-dlq",
      "vectorize create coding-memory-errors --dimensions=768 --metric=cosine",
      "vectorize create-metadata-index coding-memory-errors --propertyName=resolved --type=boolean",
      "vectorize create-metadata-index coding-memory-errors --propertyName=error_type --type=string",
    ]);
    // Migrations before the code, both on the production environment.
    const order = run.state.calls.map((/** @type {string[]} */ call) => call.slice(0, 2).join(" "));
    assert.ok(order.indexOf("d1 migrations") < order.indexOf("deploy --env"), order.join(", "));
    assert.ok(
      run.state.calls.some((/** @type {string[]} */ c) =>
        c.join(" ").startsWith("d1 migrations apply DB --remote --env production"),
      ),
    );
    assert.equal(run.state.deploys, 1);
    // Every migration in the repository, whatever their number.
    const migrations = readdirSync(join(REPO, "migrations")).filter((name) => name.endsWith(".sql"));
    assert.equal(run.state.migrations.length, migrations.length);
    assert.match(run.stdout, /MCP server: https:\/\/coding-memory\.example\.workers\.dev\/mcp/);
    assert.match(run.stdout, /npm run account -- create --user you@example.com --print-sql/);
    assert.match(run.stdout, /wrangler d1 execute DB --remote --env production/);

    // The ids are in [env.production]; nothing else in the file changed (comments, the dev config, layout).
    const db = run.state.d1.find((/** @type {any} */ d) => d.name === "coding-memory");
    const kv = run.state.kv.find((/** @type {any} */ ns) => ns.title === "coding-memory-oauth-kv");
    const written = readFileSync(config, "utf8");
    const changed = written.split("\n").filter((line, i) => line !== original.split("\n")[i]);
    assert.deepEqual(changed, [`id = "${kv.id}"`, `database_id = "${db.uuid}"`]);
    assert.match(
      written,
      /\[\[d1_databases\]\]\nbinding = "DB"\ndatabase_name = "coding-memory"\n#[^\n]*\ndatabase_id = "00000000-0000-0000-0000-000000000000"/,
    );
  });

  it("changes nothing on a second run: no creates, the same file, no pending migrations", () => {
    const before = readFileSync(config, "utf8");
    writeFileSync(statePath, JSON.stringify({ ...JSON.parse(readFileSync(statePath, "utf8")), calls: [] }));
    const run = deploy();
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.deepEqual(creates(run.state), []);
    assert.equal(readFileSync(config, "utf8"), before);
    assert.match(run.stdout, /No migrations to apply/);
    assert.match(run.stdout, /✓ D1 database coding-memory: /);
    assert.equal(run.state.deploys, 2);
  });

  it(
    "produces a config the real wrangler bundles: `wrangler deploy --dry-run --env production`",
    { timeout: 240_000 },
    () => {
      const outdir = join(dir, "out");
      const result = spawnSync(
        REAL_WRANGLER,
        ["deploy", "--dry-run", "--env", "production", "--config", config, "--outdir", outdir],
        {
          cwd: REPO,
          env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
          encoding: "utf8",
        },
      );
      const output = `${result.stdout}\n${result.stderr}`;
      assert.equal(result.status, 0, output);
      assert.match(output, /--dry-run: exiting now/);
      const state = JSON.parse(readFileSync(statePath, "utf8"));
      const db = state.d1.find((/** @type {any} */ d) => d.name === "coding-memory");
      // The bindings wrangler would upload: the recorded D1 database, Vectorize, queues, R2, KV, AI.
      for (const binding of [
        "env.DB",
        "env.OAUTH_KV",
        "env.VECTORIZE",
        "env.SCREENSHOTS",
        "env.ERROR_INDEX_QUEUE",
        "env.AI",
      ]) {
        assert.ok(output.includes(binding), `dry-run output lacks ${binding}:\n${output}`);
      }
      assert.ok(readFileSync(config, "utf8").includes(db.uuid));
      // The KV namespace the deploy created is the one bound, and the Worker was bundled.
      const kv = state.kv.find((/** @type {any} */ ns) => ns.title === "coding-memory-oauth-kv");
      assert.ok(output.includes(`env.OAUTH_KV (${kv.id})`), output);
      assert.ok(readFileSync(join(outdir, "index.js"), "utf8").length > 100_000);
    },
  );

  it("with --dry-run only reads: says what it would create and changes nothing", () => {
    const pristine = join(dir, "pristine.toml");
    copyFileSync(config, join(dir, "used.toml"));
    writeFileSync(pristine, original);
    writeFileSync(statePath, JSON.stringify(freshState()));
    const saved = config;
    config = pristine;
    try {
      const run = deploy(["--dry-run"]);
      assert.equal(run.status, 0, run.stderr + run.stdout);
      assert.deepEqual(creates(run.state), []);
      assert.equal(readFileSync(pristine, "utf8"), original);
      assert.match(run.stdout, /Would:\n {2}- create D1 database coding-memory: wrangler d1 create coding-memory/);
      assert.equal(run.state.deploys, 0);
    } finally {
      config = saved;
    }
  });

  it("stops before touching anything when not logged in, or when the account is ambiguous", () => {
    writeFileSync(statePath, JSON.stringify(freshState({ loggedIn: false })));
    let run = deploy();
    assert.equal(run.status, 1);
    assert.match(run.stderr, /Not logged in to Cloudflare: run `npx wrangler login`/);
    assert.deepEqual(
      run.state.calls.map((/** @type {string[]} */ c) => c[0]),
      ["whoami"],
    );

    const two = [
      { id: "0123456789abcdef0123456789abcdef", name: "Example Org" },
      { id: "fedcba9876543210fedcba9876543210", name: "Side Project" },
    ];
    writeFileSync(statePath, JSON.stringify(freshState({ accounts: two })));
    run = deploy();
    assert.equal(run.status, 1);
    assert.match(run.stderr, /CLOUDFLARE_ACCOUNT_ID=<id> npm run deploy/);
    run = deploy([], { CLOUDFLARE_ACCOUNT_ID: two[1]?.id ?? "" });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /to Side Project/);
  });
});
