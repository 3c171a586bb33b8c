/**
 * The browser side of the OAuth authorization-code flow against the Worker's real /authorize page: register a
 * client, open the page (keeping its cookies), post the form as a browser would, exchange the code.
 */
import { expect } from "vitest";
import { s256 } from "../../src/auth/identity-providers";
import { BASE, workerFetch } from "../helpers";
import { CookieJar, registerClient as registerSharedClient, submit } from "./authorize-flow";

export { CookieJar, submit };

export const LOOPBACK_REDIRECT = "http://127.0.0.1:33419/callback";

/** A loopback client (RFC 8252), as Claude Code, Cursor and the SDK register. */
export function registerClient(redirectUri = LOOPBACK_REDIRECT, name = "Claude Code"): Promise<string> {
  return registerSharedClient(name, workerFetch, redirectUri);
}

export interface AuthorizePage {
  response: Response;
  html: string;
  handle: string;
  jar: CookieJar;
  verifier: string;
  /** The access level the page preselects, as the browser would post it. */
  checked: string;
  /** The hidden redirect_uri field the page carries into its POST. */
  redirectField: string;
}

/** GET /authorize as a browser. `scope: null` omits the parameter; `resource: null` omits it. */
export async function openAuthorizePage(
  clientId: string,
  options: { scope?: string | null; resource?: string | null; redirectUri?: string } = {},
): Promise<AuthorizePage> {
  const verifier = `${crypto.randomUUID()}${crypto.randomUUID()}`;
  const params = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: options.redirectUri ?? LOOPBACK_REDIRECT,
    state: "state-123",
    code_challenge: await s256(verifier),
    code_challenge_method: "S256",
  });
  const scope = options.scope === undefined ? "memory:read memory:write" : options.scope;
  if (scope !== null) params.set("scope", scope);
  const resource = options.resource === undefined ? BASE : options.resource;
  if (resource !== null) params.set("resource", resource);
  const jar = new CookieJar();
  const response = await workerFetch(`${BASE}/authorize?${params}`, { redirect: "manual" });
  jar.take(response);
  const html = await response.text();
  const handle = /name="handle" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const checked = /<input type="radio" name="scope" value="([^"]+)" checked>/.exec(html)?.[1] ?? "";
  const redirectField = /name="redirect_uri" value="([^"]+)"/.exec(html)?.[1] ?? "";
  return { response, html, handle, jar, verifier, checked, redirectField };
}

export async function exchangeCode(
  clientId: string,
  location: string,
  verifier: string,
  options: { resource?: string | null; redirectUri?: string } = {},
): Promise<{ status: number; body: Record<string, any> }> {
  const code = new URL(location).searchParams.get("code");
  expect(code, location).toBeTruthy();
  const params = new URLSearchParams({
    grant_type: "authorization_code",
    code: code as string,
    redirect_uri: options.redirectUri ?? LOOPBACK_REDIRECT,
    client_id: clientId,
    code_verifier: verifier,
  });
  const resource = options.resource === undefined ? BASE : options.resource;
  if (resource !== null) params.set("resource", resource);
  const res = await workerFetch(`${BASE}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: params.toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
