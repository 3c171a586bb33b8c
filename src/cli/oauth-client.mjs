// The two halves of a native app's OAuth sign-in (RFC 8252) that the MCP SDK's client leaves to its caller: a
// loopback server the browser is redirected to, and an OAuthClientProvider that keeps the registration, PKCE
// verifier and tokens in memory. `coding-memory login` uses them, and so does CI's browser check of the SDK path.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";

/** A loopback server for the redirect: one `GET /callback`, on a port the system picks. */
export async function loopbackRedirect() {
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
  return {
    redirectUrl: `http://127.0.0.1:${port}/callback`,
    received,
    /** @returns {Promise<void>} */
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

/**
 * An OAuthClientProvider holding everything in memory; `store.authorizationUrl` is where the SDK asked to send the
 * browser.
 * @param {string} redirectUrl
 * @param {Record<string, unknown>} metadata the client's registration (name, grant types, scope)
 */
export function memoryProvider(redirectUrl, metadata) {
  /** @type {Record<string, any>} */
  const store = { state: randomBytes(16).toString("hex") };
  const provider = {
    get redirectUrl() {
      return redirectUrl;
    },
    get clientMetadata() {
      return {
        redirect_uris: [redirectUrl],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
        ...metadata,
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
  return { store, provider };
}
