// npm run dev: apply local migrations, make sure a development token exists, print how to connect, serve.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { applyLocalMigrations, insertToken, queryLocal, sqlString, tokenHash } from "./local-d1.mjs";

const HOST = process.env.HOST ?? "127.0.0.1";
const PORT = process.env.PORT ?? "8787";
const DEV_USER = process.env.CODING_MEMORY_DEV_USER ?? "dev";
// Kept beside the local database so the same token works across restarts, and vanishes with it.
const TOKEN_FILE = ".wrangler/dev-token";

ensureDevVars();
applyLocalMigrations();

let token = existsSync(TOKEN_FILE) ? readFileSync(TOKEN_FILE, "utf8").trim() : "";
const known = token
  ? queryLocal(`SELECT id FROM api_tokens WHERE token_hash = ${sqlString(tokenHash(token))} AND revoked_at IS NULL`)
  : [];
if (!known.length) {
  token = insertToken({ user: DEV_USER, name: "npm run dev" }).token;
  mkdirSync(".wrangler", { recursive: true });
  writeFileSync(TOKEN_FILE, token + "\n", { mode: 0o600 });
}

/**
 * Local development may create accounts on the sign-in page; a deployment may not (wrangler.toml ships no
 * ALLOW_SIGNUP). The switch goes into the file `wrangler dev` reads its local vars from — .dev.vars, or .env
 * when only that exists (wrangler ignores .env once .dev.vars exists), both git-ignored — added when missing;
 * every other line, and an ALLOW_SIGNUP the developer set (e.g. to "false"), stays as it is.
 */
function ensureDevVars() {
  const path = !existsSync(".dev.vars") && existsSync(".env") ? ".env" : ".dev.vars";
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  if (/^\s*ALLOW_SIGNUP\s*=/m.test(text)) return;
  const separator = text && !text.endsWith("\n") ? "\n" : "";
  const line = "# Local only (npm run dev): the sign-in page may create accounts.\nALLOW_SIGNUP=true\n";
  writeFileSync(path, `${text}${separator}${line}`, { mode: 0o600 });
}

const url = `http://${HOST}:${PORT}/mcp`;
const cursor = JSON.stringify(
  { mcpServers: { "coding-memory": { url, headers: { Authorization: `Bearer ${token}` } } } },
  null,
  2,
);
console.log(`
Coding Memory (local) — user "${DEV_USER}"
  MCP endpoint : ${url}
  REST API     : http://${HOST}:${PORT}/api/v1/projects/<project>/…
  Dev token    : ${token}

Claude Code (OAuth sign-in in your browser; create an account on the sign-in page or with npm run account):
  claude mcp add --transport http coding-memory ${url}
or with the dev token:
  claude mcp add --transport http coding-memory ${url} --header "Authorization: Bearer ${token}"

Cursor (~/.cursor/mcp.json or .cursor/mcp.json):
${cursor}

More tokens: npm run token -- create --user <id>   Accounts: npm run account -- create --user <id>
`);

const child = spawn("wrangler", ["dev", "--ip", HOST, "--port", PORT, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
