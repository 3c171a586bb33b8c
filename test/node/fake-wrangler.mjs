#!/usr/bin/env node
// A recorded fake of the wrangler 4 commands `npm run deploy` runs, for test/node/deploy.test.mjs. It keeps an
// account's resources in a JSON file (FAKE_WRANGLER_STATE), appends every invocation to it, and answers with the
// output wrangler 4.156 prints for each subcommand (node_modules/wrangler/wrangler-dist/cli.js): JSON where the
// command has --json or always prints JSON (kv namespace list), cli-table3 boxes (queues list), "label: value"
// blocks (r2 bucket list), and the text of the create, migrations and deploy commands. `wrangler deploy` checks,
// as the API does, that the D1 and KV ids in the config exist in the account.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "smol-toml";

const statePath = /** @type {string} */ (process.env.FAKE_WRANGLER_STATE);
/** @type {any} */
const state = JSON.parse(readFileSync(statePath, "utf8"));
const argv = process.argv.slice(2);
state.calls.push(argv);
const save = () => writeFileSync(statePath, JSON.stringify(state, null, 2));
const banner = () => console.log(" ⛅️ wrangler 4.156.2\n───────────────────");
const flag = (/** @type {string} */ name) => {
  const at = argv.indexOf(`--${name}`);
  if (at >= 0) return argv[at + 1];
  const inline = argv.find((arg) => arg.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
};
const positional = argv.filter(
  (arg, i) => !arg.startsWith("--") && !argv[i - 1]?.match(/^--(config|env|page|outdir)$/),
);
const now = "2026-12-02T18:00:00.000Z";
/** @param {string} message */
const fail = (message) => {
  save();
  console.error(`\n✘ [ERROR] ${message}\n`);
  process.exit(1);
};

/** cli-table3's default box, as wrangler's logger.table draws it. @param {Array<Record<string, string>>} rows */
function table(rows) {
  const head = rows.length ? Object.keys(/** @type {Record<string, string>} */ (rows[0])) : [];
  const widths = head.map((key) => Math.max(key.length, ...rows.map((row) => String(row[key]).length)) + 2);
  const line = (/** @type {string} */ l, /** @type {string} */ m, /** @type {string} */ r) =>
    l + widths.map((w) => "─".repeat(w)).join(m) + r;
  const row = (/** @type {string[]} */ cells) =>
    `│${cells.map((c, i) => ` ${c.padEnd((widths[i] ?? 2) - 1)}`).join("│")}│`;
  const out = [line("┌", "┬", "┐"), row(head)];
  for (const r of rows) out.push(line("├", "┼", "┤"), row(head.map((k) => String(r[k]))));
  out.push(line("└", "┴", "┘"));
  return out.join("\n");
}

const [group, sub, third] = positional;
const command = [group, sub].join(" ");

if (group === "whoami") {
  if (!state.loggedIn) {
    console.log(JSON.stringify({ loggedIn: false }, null, 2));
    save();
    process.exit(1);
  }
  console.log(
    JSON.stringify(
      { loggedIn: true, authType: "OAuth Token", email: state.email, accounts: state.accounts, tokenPermissions: [] },
      null,
      2,
    ),
  );
} else if (!state.loggedIn) {
  fail("Not logged in.");
} else if (command === "d1 list") {
  console.log(JSON.stringify(state.d1, null, 2));
} else if (command === "d1 create") {
  const db = { uuid: randomUUID(), name: third, created_at: now, version: "production", num_tables: 0, file_size: 0 };
  state.d1.push(db);
  banner();
  console.log(
    `✅ Successfully created DB '${third}' in region WEUR\nCreated your new D1 database.\n\n` +
      "To access your new D1 Database in your Worker, add the following snippet to your configuration file:\n" +
      `[[d1_databases]]\nbinding = "${String(third).replace(/-/g, "_")}"\ndatabase_name = "${third}"\ndatabase_id = "${db.uuid}"`,
  );
} else if (command === "d1 migrations") {
  // d1 migrations apply DB --remote --env production
  if (!argv.includes("--remote")) fail("expected --remote");
  const config = /** @type {any} */ (parse(readFileSync(/** @type {string} */ (flag("config")), "utf8")));
  const env = flag("env") ? config.env[/** @type {string} */ (flag("env"))] : config;
  const binding = positional[3];
  const db = env.d1_databases.find((/** @type {any} */ d) => d.binding === binding || d.database_name === binding);
  if (third !== "apply" || !db)
    fail(`Couldn't find a D1 DB with the name or binding '${binding}' in your wrangler.toml file.`);
  if (!state.d1.some((/** @type {any} */ d) => d.uuid === db.database_id)) {
    fail(`Couldn't find DB with id ${db.database_id} [code: 7404]`);
  }
  const dir = resolve(dirname(/** @type {string} */ (flag("config"))), db.migrations_dir ?? "migrations");
  const pending = readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .filter((file) => !state.migrations.includes(file));
  banner();
  if (!pending.length) console.log("✅ No migrations to apply!");
  else {
    console.log(`Migrations to be applied:\n${table(pending.map((name) => ({ Name: name })))}`);
    for (const name of pending)
      console.log(`🌀 Executing on remote database ${db.database_name} (${db.database_id}):\n${name} ✅`);
    state.migrations.push(...pending);
  }
} else if (command === "kv namespace") {
  if (third === "list") console.log(JSON.stringify(state.kv, null, 2));
  else if (third === "create") {
    const title = positional[3];
    if (state.kv.some((/** @type {any} */ ns) => ns.title === title))
      fail(`A KV namespace with the title "${title}" already exists.`);
    const id = randomUUID().replace(/-/g, "");
    state.kv.push({ id, title, supports_url_encoding: true });
    banner();
    console.log(
      `Resource location: remote\n🌀 Creating namespace with title "${title}"\n✨ Success!\n` +
        "To access your new KV Namespace in your Worker, add the following snippet to your configuration file:\n" +
        `[[kv_namespaces]]\nbinding = "${String(title).replace(/-/g, "_")}"\nid = "${id}"`,
    );
  }
} else if (command === "queues list") {
  // The API pages queues; the fake's pages are small so paging is exercised.
  const page = Number(flag("page") ?? 1);
  const rows = state.queues.slice((page - 1) * 3, page * 3).map((/** @type {any} */ q) => ({
    id: q.queue_id,
    name: q.queue_name,
    created_on: now,
    modified_on: now,
    producers: "0",
    consumers: "0",
  }));
  banner();
  console.log(table(rows));
} else if (command === "queues create") {
  if (state.queues.some((/** @type {any} */ q) => q.queue_name === third))
    fail(`Queue "${third}" already exists [code: 11009]`);
  state.queues.push({ queue_id: randomUUID().replace(/-/g, ""), queue_name: third });
  banner();
  console.log(`🌀 Creating queue '${third}'\n✅ Created queue '${third}'`);
} else if (command === "r2 bucket") {
  banner();
  if (third === "list") {
    console.log("Listing buckets...");
    console.log(
      state.r2.map((/** @type {string} */ name) => `name:           ${name}\ncreation_date:  ${now}`).join("\n\n"),
    );
  } else if (third === "create") {
    const name = positional[3];
    if (state.r2.includes(name)) fail(`The bucket you tried to create already exists, and you own it. [code: 10004]`);
    state.r2.push(name);
    console.log(`Creating bucket '${name}'...\n✅ Created bucket '${name}' with default storage class of Standard.`);
  }
} else if (command === "vectorize list") {
  console.log(JSON.stringify(state.vectorize, null, 2));
} else if (command === "vectorize create") {
  const index = {
    created_on: now,
    modified_on: now,
    name: third,
    description: "",
    config: { dimensions: Number(flag("dimensions")), metric: flag("metric") },
  };
  state.vectorize.push(index);
  state.metadata[/** @type {string} */ (third)] = [];
  banner();
  console.log(`🚧 Creating index: '${third}'\n✅ Successfully created a new Vectorize index: '${third}'`);
} else if (command === "vectorize list-metadata-index") {
  if (!state.metadata[/** @type {string} */ (third)]) fail(`Vectorize index ${third} not found [code: 3000]`);
  console.log(JSON.stringify(state.metadata[/** @type {string} */ (third)], null, 2));
} else if (command === "vectorize create-metadata-index") {
  state.metadata[/** @type {string} */ (third)].push({ propertyName: flag("propertyName"), indexType: flag("type") });
  banner();
  console.log(
    `📋 Creating metadata index...\n✅ Successfully enqueued metadata index creation request. Mutation changeset identifier: ${randomUUID()}.`,
  );
} else if (group === "deploy") {
  if (argv.includes("--dry-run")) {
    banner();
    console.log("--dry-run: exiting now.");
  } else {
    const config = /** @type {any} */ (parse(readFileSync(/** @type {string} */ (flag("config")), "utf8")));
    const env = config.env[/** @type {string} */ (flag("env"))];
    for (const db of env.d1_databases) {
      if (!state.d1.some((/** @type {any} */ d) => d.uuid === db.database_id)) {
        fail(`binding ${db.binding} of type d1 must have a valid \`id\` specified [code: 10021]`);
      }
    }
    for (const kv of env.kv_namespaces) {
      if (!state.kv.some((/** @type {any} */ ns) => ns.id === kv.id))
        fail(`KV namespace '${kv.id}' is not valid. [code: 10042]`);
    }
    state.deploys += 1;
    banner();
    console.log(
      [
        "Total Upload: 2480.12 KiB / gzip: 512.34 KiB",
        "Worker Startup Time: 41 ms",
        `Uploaded ${env.name} (4.21 sec)`,
        `Deployed ${env.name} triggers (1.02 sec)`,
        `  https://${env.name}.${state.subdomain}.workers.dev`,
        "  schedule: */10 * * * *",
        "  Producer for coding-memory-error-index",
        "  Consumer for coding-memory-error-index",
        `Current Version ID: ${randomUUID()}`,
      ].join("\n"),
    );
  }
} else {
  fail(`the fake does not know \`wrangler ${argv.join(" ")}\``);
}
save();
