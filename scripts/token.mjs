// npm run token -- create --user <id> [--name <label>] [--expires-days <n>]
// npm run token -- list [--user <id>]
// npm run token -- revoke --id <token id>
import { parseArgs } from "node:util";
import { applyLocalMigrations, insertToken, queryLocal, sqlString } from "./local-d1.mjs";

const usage = `Usage:
  npm run token -- create --user <id> [--name <label>] [--expires-days <n>]
  npm run token -- list [--user <id>]
  npm run token -- revoke --id <token id>
Works on the local development database (.wrangler/state).`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    user: { type: "string" },
    name: { type: "string" },
    "expires-days": { type: "string" },
    id: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

const command = positionals[0];
if (values.help || !command) {
  console.log(usage);
  process.exit(command ? 0 : 2);
}

applyLocalMigrations();

if (command === "create") {
  const user = values.user ?? fail("--user is required.");
  let expiresAt = null;
  if (values["expires-days"] !== undefined) {
    const days = Number(values["expires-days"]);
    if (!Number.isFinite(days) || days <= 0) fail("--expires-days must be a positive number.");
    expiresAt = Date.now() + days * 86_400_000;
  }
  const { id, token } = insertToken({ user, name: values.name ?? "cli", expiresAt });
  console.log(
    `Token for ${values.user} (id ${id}${expiresAt ? `, expires ${new Date(expiresAt).toISOString()}` : ""}):`,
  );
  console.log(token);
  console.log("It is shown only once; only its hash is stored.");
} else if (command === "list") {
  const where = values.user ? `WHERE user_id = ${sqlString(values.user)}` : "";
  const rows = queryLocal(
    `SELECT id, user_id, name, token_prefix, created_at, last_used_at, expires_at, revoked_at FROM api_tokens ${where} ORDER BY created_at`,
  );
  const iso = (/** @type {unknown} */ v) => (typeof v === "number" ? new Date(v).toISOString() : "-");
  for (const r of rows) {
    const state = r.revoked_at
      ? "revoked"
      : typeof r.expires_at === "number" && r.expires_at <= Date.now()
        ? "expired"
        : "active";
    console.log(
      `${r.id}  ${r.user_id}  ${r.name}  ${r.token_prefix}…  ${state}  created ${iso(r.created_at)}  last used ${iso(r.last_used_at)}`,
    );
  }
  if (!rows.length) console.log("No tokens.");
} else if (command === "revoke") {
  const id = values.id ?? fail("--id is required.");
  const rows = queryLocal(
    `UPDATE api_tokens SET revoked_at = ${Date.now()} WHERE id = ${sqlString(id)} AND revoked_at IS NULL RETURNING id`,
  );
  if (!rows.length) fail(`No active token with id ${id}.`);
  console.log(`Revoked ${id}.`);
} else {
  fail(`Unknown command: ${command}`);
}
