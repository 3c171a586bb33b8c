// Helpers for the npm scripts that talk to the local D1 database through wrangler (Node, not the Worker).
import { execFileSync } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";

const WRANGLER = process.platform === "win32" ? "wrangler.cmd" : "wrangler";

/** @param {string[]} args */
export function wrangler(args, { quiet = true } = {}) {
  return execFileSync(WRANGLER, args, {
    encoding: "utf8",
    stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
}

/** Benches keep their own state directory so they never touch the developer's data. */
function persistArgs() {
  const dir = process.env.CODING_MEMORY_PERSIST_TO;
  return dir ? ["--persist-to", dir] : [];
}

export function applyLocalMigrations() {
  wrangler(["d1", "migrations", "apply", "DB", "--local", ...persistArgs()]);
}

/** @param {string} sql */
export function queryLocal(sql) {
  const out = wrangler(["d1", "execute", "DB", "--local", ...persistArgs(), "--json", "--command", sql]);
  const parsed = JSON.parse(out);
  return /** @type {Array<Record<string, unknown>>} */ (parsed[0]?.results ?? []);
}

/** @param {string} value */
export function sqlString(value) {
  return `'${value.replace(/'/g, "''")}'`;
}

export function newToken() {
  return "cm_" + randomBytes(32).toString("base64url");
}

/** @param {string} token */
export function tokenHash(token) {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Stores a token for a user (creating the user) in the local database. Same scheme as src/auth/tokens.ts.
 * @param {{ user: string; name: string; token?: string; expiresAt?: number | null }} options
 */
export function insertToken({ user, name, token = newToken(), expiresAt = null }) {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(user)) {
    throw new Error("--user: 1-64 characters of letters, digits, '.', '_', '@' or '-'.");
  }
  const now = Date.now();
  const id = randomUUID();
  queryLocal(
    `INSERT INTO users (id, display_name, created_at) VALUES (${sqlString(user)}, ${sqlString(user)}, ${now}) ON CONFLICT DO NOTHING;` +
      `INSERT INTO api_tokens (id, user_id, name, token_hash, token_prefix, created_at, expires_at) VALUES ` +
      `(${sqlString(id)}, ${sqlString(user)}, ${sqlString(name)}, ${sqlString(tokenHash(token))}, ${sqlString(token.slice(0, 8))}, ${now}, ${expiresAt ?? "NULL"});`,
  );
  return { id, token };
}
