// `coding-memory login`: signs in in the browser with OAuth (discovery, dynamic client registration and PKCE by
// the official MCP SDK's client, a loopback redirect per RFC 8252), then uses that one-time grant to mint the
// CLI's own API token (memory read and write, 90 days), which is what hooks and commands send; the OAuth token is
// dropped (refreshing a rotating token from concurrent hooks would race). Without a browser on this machine
// (`--no-browser`), the URL is printed and the address the browser ends on can be pasted back.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { hostname } from "node:os";
import { auth } from "@modelcontextprotocol/sdk/client/auth.js";

/** Asked once, to mint the CLI's token: that takes the admin scope. The token itself gets read and write. */
const LOGIN_SCOPE = "memory:read memory:write admin";
const TOKEN_SCOPES = ["memory:read", "memory:write"];
const TOKEN_DAYS = 90;

/** A loopback server for the redirect: one `GET /callback`, on a port the system picks. */
async function loopback() {
  /** @type {(params: URLSearchParams) => void} */
  let deliver = () => {};
  /** @type {Promise<URLSearchParams>} */
  const received = new Promise((resolve) => (deliver = resolve));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/callback") return void res.writeHead(404).end();
    res
      .writeHead(200, { "Content-Type": "text/html; charset=utf-8" })
      .end(
        "<!doctype html><title>Coding Memory</title><p>Signed in. You can close this tab and go back to the terminal.</p>",
      );
    deliver(url.searchParams);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { redirectUrl: `http://127.0.0.1:${port}/callback`, received, close: () => server.close() };
}

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
  const callback = await loopback();
  /** @type {Record<string, any>} */
  const store = { state: randomBytes(16).toString("hex") };
  const provider = {
    get redirectUrl() {
      return callback.redirectUrl;
    },
    get clientMetadata() {
      return {
        client_name: `coding-memory CLI on ${hostname()}`,
        redirect_uris: [callback.redirectUrl],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
        scope: LOGIN_SCOPE,
      };
    },
    state: () => store.state,
    clientInformation: () => store.client,
    saveClientInformation: (/** @type {unknown} */ info) => void (store.client = info),
    tokens: () => store.tokens,
    saveTokens: (/** @type {unknown} */ tokens) => void (store.tokens = tokens),
    redirectToAuthorization: (/** @type {URL} */ url) => void (store.authorizationUrl = url),
    saveCodeVerifier: (/** @type {string} */ verifier) => void (store.verifier = verifier),
    codeVerifier: () => store.verifier,
  };
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
    callback.close();
  }
}
