// `coding-memory login`: signs in in the browser with OAuth (discovery, dynamic client registration and PKCE by
// the official MCP SDK's client, a loopback redirect per RFC 8252), then uses that one-time grant to mint the
// CLI's own API token (memory read and write, 90 days), which is what hooks and commands send; the OAuth token is
// dropped (refreshing a rotating token from concurrent hooks would race). Without a browser on this machine
// (`--no-browser`), the URL is printed and the address the browser ends on can be pasted back.
import { hostname } from "node:os";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { resolveSettings, saveUserSettings, userConfigPath } from "./config.mjs";
import { gitRoot } from "./git-root.mjs";
import { loopbackRedirect, memoryProvider } from "./oauth-client.mjs";

/** Asked once, to mint the CLI's token: that takes the admin scope. The token itself gets read and write. */
const LOGIN_SCOPE = "memory:read memory:write admin";
const TOKEN_SCOPES = ["memory:read", "memory:write"];
const TOKEN_DAYS = 90;

/**
 * @param {{
 *   url: string,
 *   show: (authorizationUrl: string) => void,
 *   pasted?: Promise<string>,
 *   timeoutMs?: number,
 *   fetchFn?: typeof fetch,
 * }} options show: print the URL (and open a browser); pasted: an address pasted by the user instead
 * @returns {Promise<{ token: string, tokenId: string, expiresAt: string | null }>}
 */
export async function login(options) {
  const base = options.url.replace(/\/+$/, "");
  const callback = await loopbackRedirect();
  const { store, provider } = memoryProvider(callback.redirectUrl, {
    client_name: `coding-memory CLI on ${hostname()}`,
    grant_types: ["authorization_code"],
    scope: LOGIN_SCOPE,
  });
  const serverUrl = `${base}/mcp`;
  const fetchFn = options.fetchFn;
  try {
    const started = await auth(/** @type {any} */ (provider), {
      serverUrl,
      scope: LOGIN_SCOPE,
      ...(fetchFn ? { fetchFn } : {}),
    });
    if (started !== "REDIRECT" || !store.authorizationUrl)
      throw new Error(`the server did not start a sign-in (${started})`);
    options.show(String(store.authorizationUrl));
    const timeout = options.timeoutMs ?? 300_000;
    const params = await Promise.race([
      callback.received,
      ...(options.pasted ? [options.pasted.then((text) => new URL(text.trim()).searchParams)] : []),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no sign-in within ${timeout / 1000} s`)), timeout).unref(),
      ),
    ]);
    const search = /** @type {URLSearchParams} */ (params);
    if (search.get("error"))
      throw new Error(`sign-in refused: ${search.get("error")} ${search.get("error_description") ?? ""}`.trim());
    if (search.get("state") !== store.state)
      throw new Error("the sign-in answer is not for this login (state differs)");
    const code = search.get("code");
    if (!code) throw new Error("the sign-in answer holds no code");
    const done = await auth(/** @type {any} */ (provider), {
      serverUrl,
      authorizationCode: code,
      ...(fetchFn ? { fetchFn } : {}),
    });
    if (done !== "AUTHORIZED" || !store.tokens?.access_token) throw new Error("the code was not exchanged for a token");
    const minted = await (fetchFn ?? fetch)(`${base}/api/v1/tokens`, {
      method: "POST",
      headers: { Authorization: `Bearer ${store.tokens.access_token}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        name: `coding-memory CLI on ${hostname()}`,
        scopes: TOKEN_SCOPES,
        expires_in_days: TOKEN_DAYS,
      }),
    });
    const body = /** @type {any} */ (await minted.json().catch(() => ({})));
    if (!minted.ok || typeof body.token !== "string") {
      throw new Error(
        `signed in, but the CLI's token could not be made: ${body?.error?.message ?? minted.status}` +
          (minted.status === 403 ? ' (allow "Read, write and administer" on the sign-in page)' : ""),
      );
    }
    return { token: body.token, tokenId: String(body.token_id ?? body.id ?? ""), expiresAt: body.expires_at ?? null };
  } finally {
    await callback.close();
  }
}

/**
 * Sign in and keep the CLI's token in the user config (never in the repository). The server comes from --url,
 * the environment, .coding-memory.json or the user config.
 * @param {Record<string, any>} values
 */
export async function loginCommand(values) {
  const root = gitRoot(process.cwd()) ?? process.cwd();
  /** @type {string} */
  let url;
  try {
    // The same layers as every command's settings, without the token this is about to make.
    url = resolveSettings({ url: values.url }, root, process.env, { requireToken: false }).url;
  } catch {
    console.error("Usage: coding-memory login --url https://memory.example.com");
    return 2;
  }
  const userFile = userConfigPath(process.env);
  const noBrowser = values["no-browser"];
  /** @type {import("node:readline").Interface | null} */
  const lines = noBrowser ? createInterface({ input: process.stdin }) : null;
  const pasted = lines ? new Promise((resolvePasted) => lines.once("line", resolvePasted)) : undefined;
  try {
    const result = await login({
      url,
      pasted: /** @type {Promise<string> | undefined} */ (pasted),
      show: (authorizationUrl) => {
        console.log(`Sign in to ${url} in your browser:\n\n  ${authorizationUrl}\n`);
        if (noBrowser)
          console.log("Then paste here the address the browser ends up on (http://127.0.0.1:…/callback?code=…):");
        else openBrowser(authorizationUrl);
      },
    });
    saveUserSettings(process.env, { url: url.replace(/\/+$/, ""), token: result.token });
    console.log(
      `Signed in. This CLI's token (memory read and write, until ${result.expiresAt ?? "revoked"}) is in ${userFile}; ` +
        "revoke it with DELETE /api/v1/tokens/" +
        result.tokenId +
        ".",
    );
    return 0;
  } finally {
    lines?.close();
  }
}

/** @param {string} url */
function openBrowser(url) {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  try {
    spawn(command, args, { stdio: "ignore", detached: true })
      .on("error", () => {})
      .unref();
  } catch {
    // No browser here: the printed URL is the way.
  }
}
