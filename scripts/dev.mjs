// npm run dev: apply local migrations, make sure a development token exists, print how to connect, serve.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { applyLocalMigrations, insertToken, queryLocal, sqlString, tokenHash } from "./local-d1.mjs";

/**
 * `--port N` / `--ip A` (also `--port=N`, `--ip=A`) win over PORT / HOST; they are taken out of the arguments
 * passed on to wrangler, which is given each exactly once (twice makes it exit: "--port expects a single value").
 * @param {string[]} args
 */
function serveAddress(args) {
  const rest = [];
  const found = /** @type {Record<string, string>} */ ({});
  for (let index = 0; index < args.length; index += 1) {
    const match = /^--(port|ip)(?:=(.*))?$/.exec(args[index] ?? "");
    if (!match) {
      rest.push(/** @type {string} */ (args[index]));
      continue;
    }
    const value = match[2] ?? args[(index += 1)];
    if (!value || value.startsWith("--")) throw new Error(`npm run dev: --${match[1]} needs a value`);
    found[/** @type {string} */ (match[1])] = value;
  }
  const host = found.ip ?? process.env.HOST ?? "127.0.0.1";
  const port = found.port ?? process.env.PORT ?? "8787";
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new Error(`npm run dev: port must be 1-65535, got ${port}`);
  }
  return { host, port, rest };
}

const { host: HOST, port: PORT, rest: WRANGLER_ARGS } = serveAddress(process.argv.slice(2));
// What a client types: an IPv6 literal in brackets; "listen on every interface" is reached on loopback.
const SHOWN_HOST = HOST === "0.0.0.0" || HOST === "::" ? "127.0.0.1" : HOST.includes(":") ? `[${HOST}]` : HOST;
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

const url = `http://${SHOWN_HOST}:${PORT}/mcp`;
const cursor = JSON.stringify(
  { mcpServers: { "coding-memory": { url, headers: { Authorization: `Bearer ${token}` } } } },
  null,
  2,
);
console.log(`
Coding Memory (local) — user "${DEV_USER}"
  MCP endpoint : ${url}
  REST API     : http://${SHOWN_HOST}:${PORT}/api/v1/projects/<project>/…
  Health       : http://${SHOWN_HOST}:${PORT}/health
  Dev token    : ${token}

Claude Code (OAuth sign-in in your browser; create an account on the sign-in page or with npm run account):
  claude mcp add --transport http coding-memory ${url}
or with the dev token:
  claude mcp add --transport http coding-memory ${url} --header "Authorization: Bearer ${token}"

Cursor (~/.cursor/mcp.json or .cursor/mcp.json):
${cursor}

More tokens: npm run token -- create --user <id>   Accounts: npm run account -- create --user <id>
`);

const child = spawn("wrangler", ["dev", "--ip", HOST, "--port", PORT, ...WRANGLER_ARGS], {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
