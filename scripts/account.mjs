// npm run account -- create --user <id> [--password <p> | password on stdin] [--print-sql]
// A built-in account for OAuth sign-in (self-hosting, local development). Same hash format as
// src/auth/passwords.ts: pbkdf2-sha256$<iterations>$<salt>$<hash>. --print-sql prints the statements instead of
// running them, for `wrangler d1 execute DB --remote --command "…"` against a deployed database.
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { applyLocalMigrations, queryLocal, sqlString } from "./local-d1.mjs";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    user: { type: "string" },
    password: { type: "string" },
    "print-sql": { type: "boolean", default: false },
  },
});
const usage = "Usage: npm run account -- create --user <id> [--password <p> | password on stdin] [--print-sql]";
if (positionals[0] !== "create" || !values.user) {
  console.error(usage);
  process.exit(2);
}
const user = values.user;
if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(user)) {
  console.error("--user: 1-64 characters of letters, digits, '.', '_', '@' or '-'.");
  process.exit(2);
}
const password = values.password ?? readFileSync(0, "utf8").replace(/\r?\n$/, "");
if (password.length < 10) {
  console.error("The password needs at least 10 characters.");
  process.exit(2);
}
const iterations = 100_000;
const salt = randomBytes(16);
const hash = pbkdf2Sync(password, salt, iterations, 32, "sha256");
const stored = `pbkdf2-sha256$${iterations}$${salt.toString("base64")}$${hash.toString("base64")}`;
const now = Date.now();
const sql =
  `INSERT INTO users (id, display_name, created_at) VALUES (${sqlString(user)}, ${sqlString(user)}, ${now}) ON CONFLICT DO NOTHING; ` +
  `INSERT INTO accounts (user_id, password_hash, created_at, updated_at) VALUES (${sqlString(user)}, ${sqlString(stored)}, ${now}, ${now}) ` +
  `ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at;`;
if (values["print-sql"]) {
  console.log(sql);
} else {
  applyLocalMigrations();
  queryLocal(sql);
  console.log(`Account ${user} can now sign in on the local server's /authorize page.`);
}
