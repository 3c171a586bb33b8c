/**
 * The browser side of the OAuth sign-in flow, driven with fetch against the Worker's real `/authorize` page:
 * register a client, open the page, post its form, follow the redirect back and exchange the code. Each
 * `CookieJar` is one browser: its cookies, its client address (CF-Connecting-IP, which the sign-in limits key
 * on), and the fetch it reaches the Worker with (a test can point it at the Worker under another `env`).
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { D1AccountService as AccountService } from "../../src/composition/auth";
import { s256 } from "../../src/auth/identity-providers";
import { BASE, uniqueName, workerFetch } from "../helpers";

export const REDIRECT = "http://localhost:33418/callback";
export const PASSWORD = "correct horse battery";

export type WorkerFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** A documentation-range address (198.18.0.0/15), different for every browser unless one is given. */
export function randomAddress(): string {
  const [a = 0, b = 0] = crypto.getRandomValues(new Uint8Array(2));
  return `198.${18 + (a % 2)}.${b}.${(a >> 1) + 1}`;
}

/** The cookies a browser would keep between the authorize page and its form post. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  constructor(
    readonly address = randomAddress(),
    readonly fetch: WorkerFetch = workerFetch,
  ) {}
  take(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...value] = (pair ?? "").split("=");
      if (name) this.cookies.set(name.trim(), value.join("="));
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

export async function registerClient(name = "Claude Code", fetcher: WorkerFetch = workerFetch, redirectUri = REDIRECT) {
  const res = await fetcher(`${BASE}/oauth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      client_name: name,
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { client_id: string }).client_id;
}

/** GET /authorize as a browser: the page, its consent handle, and the binding cookie. */
export async function openAuthorizePage(clientId: string, scope: string, jar = new CookieJar()) {
  const verifier = `${crypto.randomUUID()}${crypto.randomUUID()}`;
  const url = new URL(`${BASE}/authorize`);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope,
    state: "state-123",
    code_challenge: await s256(verifier),
    code_challenge_method: "S256",
    resource: BASE,
  }).toString();
  const page = await jar.fetch(url);
  jar.take(page);
  const html = await page.text();
  expect(page.status, html).toBe(200);
  const handle = /name="handle" value="([^"]+)"/.exec(html)?.[1];
  expect(handle).toBeTruthy();
  return { html, handle: handle as string, jar, verifier };
}

/** Posts the page's form from the jar's browser (its cookies and client address). */
export async function submit(jar: CookieJar, fields: Record<string, string | string[]>) {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(key, item);
  }
  const res = await jar.fetch(`${BASE}/authorize`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Cookie: jar.header(),
      "CF-Connecting-IP": jar.address,
    },
    body: form.toString(),
    redirect: "manual",
  });
  jar.take(res);
  return res;
}

export async function exchangeCode(
  clientId: string,
  location: string,
  verifier: string,
  fetcher: WorkerFetch = workerFetch,
) {
  const redirected = new URL(location);
  expect(redirected.searchParams.get("state")).toBe("state-123");
  const code = redirected.searchParams.get("code");
  expect(code).toBeTruthy();
  const res = await fetcher(`${BASE}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: code as string,
      redirect_uri: REDIRECT,
      client_id: clientId,
      code_verifier: verifier,
      resource: BASE,
    }).toString(),
  });
  const body = (await res.json()) as { access_token: string; refresh_token: string; scope: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

/** A user with a built-in account signs in through the full browser flow; returns their OAuth tokens. */
export async function signIn(user: string, scope = "memory:read memory:write", password = PASSWORD) {
  const clientId = await registerClient();
  const { handle, jar, verifier } = await openAuthorizePage(clientId, scope);
  const res = await submit(jar, { handle, action: "login", user, password, scope: scope.split(" ") });
  expect(res.status, await res.clone().text()).toBe(302);
  return { clientId, ...(await exchangeCode(clientId, res.headers.get("Location") ?? "", verifier)) };
}

/** A new built-in account (what sign-up makes), with PASSWORD. */
export async function account(prefix: string): Promise<string> {
  return new AccountService(env.DB).create(uniqueName(prefix), PASSWORD, Date.now());
}

/** The message of the sign-in page's error paragraph, if any. */
export function pageError(html: string): string | null {
  return /<p class="error">([^<]*)<\/p>/.exec(html)?.[1] ?? null;
}
