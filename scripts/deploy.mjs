// npm run deploy [-- --dry-run] [--env production] [--config wrangler.toml]
// Deploys the Worker's production environment in one command, with wrangler doing every remote operation:
//   1. `wrangler whoami --json`: logged in (wrangler login, or CLOUDFLARE_API_TOKEN) and one account chosen;
//   2. lists what exists (d1 list --json, kv namespace list, queues list, r2 bucket list, vectorize list --json,
//      vectorize list-metadata-index --json) and creates only what is missing;
//   3. records the D1 database id and the KV namespace id in wrangler.toml's [env.production] tables, in place
//      (the other bindings are found by name), so every later `wrangler … --env production` uses them;
//   4. `wrangler d1 migrations apply DB --remote --env production`, then `wrangler deploy --env production`;
//   5. prints the MCP URL and how to create the first account.
// Running it again changes nothing that exists: it is the same command for the first deploy and every update.
// --dry-run only reads: it lists, says what it would create, and bundles with `wrangler deploy --dry-run`.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { parseArgs } from "node:util";
import { resourcesOf, setBindingValue, VECTOR_METADATA_INDEXES } from "./deploy-config.mjs";

const { values } = parseArgs({
  options: {
    env: { type: "string", default: "production" },
    config: { type: "string", default: "wrangler.toml" },
    "dry-run": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log("Usage: npm run deploy [-- --dry-run] [--env production] [--config wrangler.toml]");
  process.exit(0);
}
const envName = values.env;
const configPath = resolve(values.config);
const dryRun = values["dry-run"];
/** The wrangler on PATH: node_modules/.bin's under `npm run`, or one a test puts first. */
const WRANGLER = process.env.CODING_MEMORY_WRANGLER ?? "wrangler";

class DeployError extends Error {}

/**
 * Runs wrangler with the config and captures its output; `echo` also shows it as it comes (long commands).
 * @param {string[]} args
 * @param {{ echo?: boolean, allowFailure?: boolean }} [options]
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
function wrangler(args, { echo = false, allowFailure = false } = {}) {
  const full = [...args, "--config", configPath];
  return new Promise((done, fail) => {
    const child = spawn(WRANGLER, full, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (echo) process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      if (echo) process.stderr.write(chunk);
    });
    child.on("error", (error) => fail(new DeployError(`cannot run ${WRANGLER}: ${error.message}`)));
    child.on("close", (code) => {
      if (code !== 0 && !allowFailure) {
        const output = stripVTControlCharacters(`${stderr}\n${stdout}`).trim().split("\n").slice(-15).join("\n");
        fail(new DeployError(`\`wrangler ${args.join(" ")}\` failed (exit ${code}):\n${output}`));
      } else done({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** The JSON value wrangler printed, skipping any banner or notice before it. @param {string} stdout */
function jsonOf(stdout) {
  const text = stripVTControlCharacters(stdout);
  const start = text.search(/^\s*[[{]/m);
  if (start < 0) throw new DeployError(`expected JSON from wrangler, got:\n${text.slice(0, 500)}`);
  return JSON.parse(text.slice(start));
}

/** A column of the tables wrangler draws (cli-table3, "│" between cells). @param {string} stdout @param {string} column */
function tableColumn(stdout, column) {
  const rows = stripVTControlCharacters(stdout)
    .split("\n")
    .filter((line) => line.includes("│"))
    .map((line) =>
      line
        .split("│")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  const at = rows[0]?.indexOf(column) ?? -1;
  return at < 0
    ? []
    : rows
        .slice(1)
        .map((row) => row[at] ?? "")
        .filter(Boolean);
}

const plan = /** @type {string[]} */ ([]);
/** @param {string} what @param {string[]} args */
async function create(what, args) {
  if (dryRun) {
    plan.push(`create ${what}: wrangler ${args.join(" ")}`);
    return;
  }
  console.log(`+ creating ${what}`);
  await wrangler(args, { echo: true });
}

async function main() {
  const text = readFileSync(configPath, "utf8");
  const resources = resourcesOf(text, envName);

  // 1. Who deploys.
  const who = await wrangler(["whoami", "--json"], { allowFailure: true });
  /** @type {{ loggedIn?: boolean, email?: string, accounts?: Array<{ id: string, name: string }> }} */
  let user = {};
  try {
    user = jsonOf(who.stdout);
  } catch {
    // not JSON: treated as not logged in below
  }
  if (who.code !== 0 || !user.loggedIn) {
    throw new DeployError(
      "Not logged in to Cloudflare: run `npx wrangler login`, or set CLOUDFLARE_API_TOKEN (a token with Workers, " +
        "D1, KV, R2, Queues and Vectorize edit rights) and CLOUDFLARE_ACCOUNT_ID.",
    );
  }
  const accounts = user.accounts ?? [];
  const accountId = process.env.CLOUDFLARE_ACCOUNT_ID;
  if (accounts.length > 1 && !accountId && !/^\s*account_id\s*=/m.test(text)) {
    throw new DeployError(
      `This login can deploy to ${accounts.length} accounts (${accounts.map((a) => `${a.name} ${a.id}`).join(", ")}): ` +
        "choose one with CLOUDFLARE_ACCOUNT_ID=<id> npm run deploy.",
    );
  }
  const account = accounts.find((a) => a.id === accountId) ?? accounts[0];
  console.log(
    `Deploying ${resources.workerName} (env ${envName}) as ${user.email ?? "API token"} to ${account?.name ?? accountId}`,
  );

  // 2. What exists; what is missing is created. D1 and KV are looked up again after creating, for their ids.
  let updated = text;
  const d1Ids = async () =>
    new Map(
      /** @type {Array<{ uuid: string, name: string }>} */ (
        jsonOf((await wrangler(["d1", "list", "--json"])).stdout)
      ).map((db) => [db.name, db.uuid]),
    );
  let databases = await d1Ids();
  for (const db of resources.d1) {
    if (!databases.has(db.name)) {
      await create(`D1 database ${db.name}`, ["d1", "create", db.name]);
      if (!dryRun) databases = await d1Ids();
    }
    const id = databases.get(db.name);
    if (!id && !dryRun)
      throw new DeployError(`D1 database ${db.name} was created but \`wrangler d1 list\` does not show it.`);
    if (id) {
      console.log(`✓ D1 database ${db.name}: ${id}`);
      if (id !== db.id) {
        updated = setBindingValue(updated, {
          envName,
          table: "d1_databases",
          binding: db.binding,
          key: "database_id",
          value: id,
        });
      }
    }
  }

  const kvList = async () =>
    /** @type {Array<{ id: string, title: string }>} */ (jsonOf((await wrangler(["kv", "namespace", "list"])).stdout));
  let namespaces = await kvList();
  for (const kv of resources.kv) {
    // An id already recorded that the account has wins (a namespace the user made by hand); else by title.
    let found = namespaces.find((ns) => ns.id === kv.id) ?? namespaces.find((ns) => ns.title === kv.title);
    if (!found) {
      await create(`KV namespace ${kv.title} (${kv.binding})`, ["kv", "namespace", "create", kv.title]);
      if (!dryRun) {
        namespaces = await kvList();
        found = namespaces.find((ns) => ns.title === kv.title);
        if (!found)
          throw new DeployError(
            `KV namespace ${kv.title} was created but \`wrangler kv namespace list\` does not show it.`,
          );
      }
    }
    if (found) {
      console.log(`✓ KV namespace ${found.title} (${kv.binding}): ${found.id}`);
      if (found.id !== kv.id) {
        updated = setBindingValue(updated, {
          envName,
          table: "kv_namespaces",
          binding: kv.binding,
          key: "id",
          value: found.id,
        });
      }
    }
  }

  // Queues are listed a page at a time; a page with no new name is the end.
  const queues = new Set();
  for (let page = 1; page <= 100; page += 1) {
    const names = tableColumn((await wrangler(["queues", "list", "--page", String(page)])).stdout, "name");
    const fresh = names.filter((name) => !queues.has(name));
    fresh.forEach((name) => queues.add(name));
    if (!fresh.length) break;
  }
  for (const queue of resources.queues) {
    if (queues.has(queue)) console.log(`✓ queue ${queue}`);
    else await create(`queue ${queue}`, ["queues", "create", queue]);
  }

  const bucketList = stripVTControlCharacters((await wrangler(["r2", "bucket", "list"])).stdout);
  const buckets = new Set([...bucketList.matchAll(/^name:\s+(\S+)\s*$/gm)].map((match) => match[1]));
  for (const bucket of resources.r2) {
    if (buckets.has(bucket)) console.log(`✓ R2 bucket ${bucket}`);
    else await create(`R2 bucket ${bucket}`, ["r2", "bucket", "create", bucket]);
  }

  /** @type {Array<{ name: string, config?: { dimensions?: number, metric?: string } }>} */
  const indexes = jsonOf((await wrangler(["vectorize", "list", "--json"])).stdout);
  for (const index of resources.vectorize) {
    const existing = indexes.find((candidate) => candidate.name === index.name);
    if (existing && existing.config?.dimensions !== index.dimensions) {
      throw new DeployError(
        `Vectorize index ${index.name} has ${existing.config?.dimensions} dimensions; EMBEDDING_DIMENSIONS is ` +
          `${index.dimensions}. An index's dimensions cannot change: delete it (wrangler vectorize delete ` +
          `${index.name}) and run npm run deploy again, then npm run reindex per project.`,
      );
    }
    if (existing) console.log(`✓ Vectorize index ${index.name} (${index.dimensions} dimensions)`);
    else {
      await create(`Vectorize index ${index.name}`, [
        "vectorize",
        "create",
        index.name,
        `--dimensions=${index.dimensions}`,
        "--metric=cosine",
      ]);
    }
    /** @type {Array<{ propertyName: string, indexType: string }>} */
    const metadata =
      existing || !dryRun
        ? jsonOf((await wrangler(["vectorize", "list-metadata-index", index.name, "--json"])).stdout)
        : [];
    for (const { property, type } of VECTOR_METADATA_INDEXES) {
      const has = metadata.find((m) => m.propertyName === property);
      if (has && has.indexType.toLowerCase() !== type) {
        throw new DeployError(
          `Vectorize index ${index.name}: metadata index ${property} is ${has.indexType}, not ${type}.`,
        );
      }
      if (has) console.log(`✓ metadata index ${index.name}.${property} (${type})`);
      else {
        await create(`metadata index ${index.name}.${property}`, [
          "vectorize",
          "create-metadata-index",
          index.name,
          `--propertyName=${property}`,
          `--type=${type}`,
        ]);
      }
    }
  }

  // 3. The ids, recorded in wrangler.toml (atomically: a half-written config never replaces the good one).
  if (updated !== text) {
    if (dryRun) plan.push(`record the new ids in ${configPath}`);
    else {
      const temporary = `${configPath}.deploy-${process.pid}`;
      writeFileSync(temporary, updated);
      renameSync(temporary, configPath);
      console.log(`Recorded the resource ids in ${configPath} ([env.${envName}]); commit it with your deployment.`);
    }
  }

  if (dryRun) {
    const outdir = mkdtempSync(join(tmpdir(), "coding-memory-deploy-"));
    try {
      await wrangler(["deploy", "--dry-run", "--env", envName, "--outdir", outdir], { echo: true });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
    console.log(
      plan.length
        ? `\nWould:\n${plan.map((step) => `  - ${step}`).join("\n")}`
        : "\nEverything exists: a deploy would only apply migrations and upload the Worker.",
    );
    return;
  }

  // 4. Schema, then code: the new code never runs against the old schema.
  const database = resources.d1[0];
  if (database) {
    console.log(`+ wrangler d1 migrations apply ${database.binding} --remote --env ${envName}`);
    await wrangler(["d1", "migrations", "apply", database.binding, "--remote", "--env", envName], { echo: true });
  }
  console.log(`+ wrangler deploy --env ${envName}`);
  const deployed = await wrangler(["deploy", "--env", envName], { echo: true });

  // 5. Where it is and what to do next.
  const url = deployedUrl(stripVTControlCharacters(deployed.stdout)) ?? publicUrl(text);
  const mcp = url ? `${url.replace(/\/+$/, "")}/mcp` : "<your worker URL>/mcp";
  console.log(
    [
      "",
      `✅ Deployed. MCP server: ${mcp}`,
      "",
      "Next: an account to sign in with (the sign-in page does not create accounts in production):",
      "  npm run account -- create --user you@example.com --print-sql",
      `  npx wrangler d1 execute ${database?.binding ?? "DB"} --remote --env ${envName} --command "<the printed SQL>"`,
      "  (or GitHub sign-in: set GITHUB_CLIENT_ID in [env.production.vars] and `npx wrangler secret put GITHUB_CLIENT_SECRET --env production`)",
      "Then connect an assistant, which signs in through OAuth:",
      `  claude mcp add --transport http coding-memory ${mcp}`,
    ].join("\n"),
  );
}

/** The first address `wrangler deploy` lists under "Deployed <name> triggers". @param {string} output */
function deployedUrl(output) {
  const lines = output.split("\n");
  const start = lines.findIndex((line) => /^Deployed \S+ triggers/.test(line.trim()));
  if (start < 0) return null;
  for (const line of lines.slice(start + 1)) {
    const target = line.trim();
    if (!target || /^(schedule:|producer for|consumer for|current version id)/i.test(target)) continue;
    if (/^https?:\/\//.test(target)) return target.split(/\s/)[0] ?? null;
    if (/^[a-z0-9.-]+\.[a-z]{2,}(\/\S*)?$/i.test(target)) return `https://${target.replace(/\/\*$/, "")}`;
  }
  return null;
}

/** PUBLIC_URL of the environment's vars, if the config sets one. @param {string} text */
function publicUrl(text) {
  return /^\s*PUBLIC_URL\s*=\s*"([^"]+)"/m.exec(text)?.[1] ?? null;
}

main().catch((error) => {
  console.error(`\nnpm run deploy: ${error instanceof DeployError || error instanceof Error ? error.message : error}`);
  process.exit(1);
});
