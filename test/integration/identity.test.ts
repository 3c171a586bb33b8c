/**
 * Identity under attack, through the real `/authorize` page flow: sign-up cannot take over an existing user,
 * upstream identities are (provider, subject) and never a name, linking is explicit, and password spraying from
 * one address is stopped before any hashing.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { oauthDepsFromEnv } from "../../src/composition/oauth";
import { SIGNUP_REFUSED } from "../../src/auth/accounts";
import { D1AccountService as AccountService } from "../../src/composition/auth";
import { addressKey } from "../../src/auth/sign-in-limits";
import type { Env } from "../../src/composition/env";
import worker from "../../src/index";
import { BASE, newUser, rest, uniqueName, workerFetch } from "../helpers";
import {
  account,
  CookieJar,
  exchangeCode,
  openAuthorizePage,
  pageError,
  PASSWORD,
  registerClient,
  signIn,
  submit,
  type WorkerFetch,
} from "../support/authorize-flow";
import { inOneRateWindow } from "../support/rate-window";

const SCOPES = ["memory:read", "memory:write"];

/** The Worker under another configuration (the same bindings, other vars), reached like SELF. */
function workerWith(vars: Partial<Env>): WorkerFetch {
  const configured = { ...env, ...vars } as Env;
  return async (input, init) => {
    const request = new Request(input, init);
    if (!request.headers.has("Host")) request.headers.set("Host", new URL(request.url).host);
    const ctx = createExecutionContext();
    const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, configured, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  };
}

/** Which user an OAuth access token acts as: the author of an error it records. */
async function whoAmI(accessToken: string): Promise<string> {
  const project = uniqueName("whoami");
  const recorded = await rest(accessToken, "POST", `/api/v1/projects/${project}/errors`, {
    error_type: "E",
    message: "m",
  });
  expect(recorded.status, JSON.stringify(recorded.body)).toBe(201);
  return (await rest(accessToken, "GET", `/api/v1/projects/${project}/errors`)).body.items[0].user_id;
}

async function signUp(user: string, password: string, jar = new CookieJar()) {
  const { handle } = await openAuthorizePage(await registerClient(), "memory:read", jar);
  const res = await submit(jar, { handle, action: "signup", user, password, scope: ["memory:read"] });
  return { status: res.status, location: res.headers.get("Location"), html: await res.text() };
}

async function loginStatus(user: string, password: string): Promise<number> {
  const { handle, jar } = await openAuthorizePage(await registerClient(), "memory:read");
  return (await submit(jar, { handle, action: "login", user, password })).status;
}

/**
 * One upstream sign-in through the page: the button (or the link action with a password), the redirect to the
 * provider, the provider's redirect back to /oauth/callback with `code`, and the code exchanged for tokens.
 */
async function upstreamSignIn(options: {
  code: string;
  fetcher?: WorkerFetch;
  link?: { user: string; password: string };
}): Promise<{ status: number; html: string; accessToken: string | null }> {
  const fetcher = options.fetcher ?? workerFetch;
  const clientId = await registerClient("Cursor", fetcher);
  const { handle, jar, verifier } = await openAuthorizePage(
    clientId,
    SCOPES.join(" "),
    new CookieJar(undefined, fetcher),
  );
  const fields = options.link ? { action: "link", ...options.link } : { action: "upstream" };
  const toProvider = await submit(jar, { handle, scope: SCOPES, ...fields });
  if (toProvider.status !== 302) return { status: toProvider.status, html: await toProvider.text(), accessToken: null };
  const state = new URL(toProvider.headers.get("Location") ?? "").searchParams.get("state") ?? "";
  const callback = await fetcher(
    `${BASE}/oauth/callback?code=${encodeURIComponent(options.code)}&state=${encodeURIComponent(state)}`,
    { headers: { Cookie: jar.header() }, redirect: "manual" },
  );
  if (callback.status !== 302) return { status: callback.status, html: await callback.text(), accessToken: null };
  const tokens = await exchangeCode(clientId, callback.headers.get("Location") ?? "", verifier, fetcher);
  return { status: 302, html: "", accessToken: tokens.access_token };
}

/** GitHub's token and user endpoints, answering for the person the `code` names. */
function interceptGitHub(people: Record<string, { id: number; login: string }>) {
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url === "https://github.com/login/oauth/access_token") {
      const { code } = JSON.parse(String(init?.body)) as { code: string };
      if (!people[code]) return Response.json({ error: "bad_verification_code" });
      return Response.json({ access_token: `gho_${code}`, token_type: "bearer", scope: "read:user" });
    }
    if (url === "https://api.github.com/user") {
      const code = new Headers(init?.headers).get("Authorization")?.replace("Bearer gho_", "") ?? "";
      const person = people[code];
      return person ? Response.json({ ...person, name: null, type: "User" }) : new Response("{}", { status: 401 });
    }
    return realFetch(input, init);
  });
}

const githubId = () => 1_000_000 + (crypto.getRandomValues(new Uint32Array(1))[0] ?? 0);

describe("sign-up creates only new users", () => {
  afterEach(() => vi.restoreAllMocks());

  it("refuses an id held by a token user, a built-in account or an upstream user, alike, and changes nothing", async () => {
    const tokenUser = await newUser(uniqueName("ci-bot")); // what `npm run token -- create --user` makes
    const builtIn = await account("victim");
    const upstream = await new AccountService(env.DB).userForIdentity(
      { provider: "github", subject: String(githubId()), login: "octo" },
      Date.now(),
    );
    const lookAlike = `${uniqueName("octo")}@github`; // free, but shaped like an upstream user's id
    const refusals: Array<string | null> = [];
    for (const victim of [tokenUser.userId, builtIn, upstream, lookAlike]) {
      const attempt = await signUp(victim, "attacker password 1");
      expect(attempt.status, victim).toBe(409);
      expect(attempt.location).toBeNull();
      refusals.push(pageError(attempt.html));
    }
    // One answer whatever holds the id: it says the name is taken, and nothing about who holds it.
    expect(new Set(refusals)).toEqual(new Set([SIGNUP_REFUSED.replace(/'/g, "&#39;")]));
    // Nobody got a password: the attacker's does not sign in as any of them; the owners' credentials still work.
    for (const victim of [tokenUser.userId, builtIn, upstream, lookAlike]) {
      expect(await loginStatus(victim, "attacker password 1"), victim).toBe(401);
    }
    expect(await whoAmI((await signIn(builtIn)).access_token)).toBe(builtIn);
    expect((await rest(tokenUser.token, "GET", "/api/v1/teams")).status).toBe(200);
  });

  it(
    "two concurrent sign-ups of one new id: exactly one wins, the other cannot sign in",
    { timeout: 60_000 },
    async () => {
      for (let round = 0; round < 3; round += 1) {
        const id = uniqueName("race");
        const [first, second] = await Promise.all([signUp(id, "first password 1"), signUp(id, "second password 2")]);
        expect([first.status, second.status].sort()).toEqual([302, 409]);
        const [winner, loser] =
          first.status === 302 ? ["first password 1", "second password 2"] : ["second password 2", "first password 1"];
        expect(await loginStatus(id, winner)).toBe(302);
        expect(await loginStatus(id, loser)).toBe(401);
      }
    },
  );

  it("is off unless ALLOW_SIGNUP is set: no button, and a forged sign-up post is refused", async () => {
    expect(oauthDepsFromEnv({} as Env).allowSignup).toBe(false);
    const deployed = workerWith({ ALLOW_SIGNUP: undefined });
    const jar = new CookieJar(undefined, deployed);
    const { html, handle } = await openAuthorizePage(await registerClient("Claude", deployed), "memory:read", jar);
    expect(html).not.toContain('value="signup"');
    const id = uniqueName("nosignup");
    const forged = await submit(jar, { handle, action: "signup", user: id, password: PASSWORD });
    expect(forged.status).toBe(403);
    expect(await env.DB.prepare("SELECT id FROM users WHERE id = ?").bind(id).first()).toBeNull();
  });
});

describe("upstream identities are (provider, subject), never a name", () => {
  afterEach(() => vi.restoreAllMocks());

  it("GitHub: whoever takes a renamed login, or a login that is another user's id, gets a user of their own", async () => {
    const login = uniqueName("octo");
    const [first, second, third] = [githubId(), githubId(), githubId()];
    const squatted = await newUser(`${uniqueName("hubber")}@github`); // the old `<login>@github` scheme's id
    interceptGitHub({
      before: { id: first, login },
      renamed: { id: first, login: `${login}-new` },
      taker: { id: second, login },
      hubber: { id: third, login: squatted.userId.replace(/@github$/, "") },
    });
    const original = await whoAmI((await upstreamSignIn({ code: "before" })).accessToken as string);
    expect(original).toMatch(new RegExp(`^${login}-[a-z2-9]{8}@github$`));
    const secret = uniqueName("private");
    const own = await upstreamSignIn({ code: "renamed" });
    expect(await whoAmI(own.accessToken as string)).toBe(original);
    await rest(own.accessToken, "POST", `/api/v1/projects/${secret}/errors`, { error_type: "E", message: "mine" });

    const taker = await upstreamSignIn({ code: "taker" });
    const takerUser = await whoAmI(taker.accessToken as string);
    expect(takerUser).not.toBe(original);
    expect((await rest(taker.accessToken, "GET", `/api/v1/projects/${secret}/errors`)).status).toBe(404);
    expect(await whoAmI((await upstreamSignIn({ code: "hubber" })).accessToken as string)).not.toBe(squatted.userId);
    const row = await env.DB.prepare("SELECT display_name FROM users WHERE id = ?").bind(takerUser).first();
    expect(row?.display_name).toBe(login);
  });

  it("OIDC: the same preferred_username with another sub, or the same sub from another issuer, is another person", async () => {
    const issuer = "https://sso.acme.test";
    const oidc = workerWith({
      GITHUB_CLIENT_ID: undefined,
      GITHUB_CLIENT_SECRET: undefined,
      OIDC_LABEL: "Acme SSO",
      OIDC_CLIENT_ID: "cm-client",
      OIDC_CLIENT_SECRET: "cm-secret",
      OIDC_AUTHORIZATION_ENDPOINT: `${issuer}/authorize`,
      OIDC_TOKEN_ENDPOINT: `${issuer}/token`,
      OIDC_USERINFO_ENDPOINT: `${issuer}/userinfo`,
    });
    const name = uniqueName("jane");
    const [subA, subB, legacySub] = [uniqueName("00u"), uniqueName("00u"), uniqueName("00u")];
    const people: Record<string, { iss: string; sub: string }> = {
      a: { iss: issuer, sub: subA },
      b: { iss: issuer, sub: subB },
      elsewhere: { iss: "https://other-idp.test", sub: subA },
      legacy: { iss: issuer, sub: legacySub },
    };
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (url === `${issuer}/token`) {
        const code = new URLSearchParams(String(init?.body)).get("code") ?? "";
        const person = people[code];
        if (!person) return Response.json({ error: "invalid_grant" }, { status: 400 });
        const part = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "");
        const idToken = `${part({ alg: "RS256" })}.${part({ ...person, aud: "cm-client", exp: 2e9 })}.sig`;
        return Response.json({ access_token: `at-${code}`, token_type: "Bearer", id_token: idToken });
      }
      if (url === `${issuer}/userinfo`) {
        const code = new Headers(init?.headers).get("Authorization")?.replace("Bearer at-", "") ?? "";
        return Response.json({ sub: people[code]?.sub, preferred_username: name, email: `${name}@acme.test` });
      }
      return realFetch(input, init);
    });
    const userOf = async (code: string) =>
      whoAmI((await upstreamSignIn({ code, fetcher: oidc })).accessToken as string);
    const a = await userOf("a");
    expect(await userOf("a")).toBe(a);
    const b = await userOf("b");
    const elsewhere = await userOf("elsewhere");
    expect(new Set([a, b, elsewhere]).size).toBe(3);

    // An identity stored before subjects carried the issuer (bare sub) is adopted once, re-keyed to iss#sub.
    const legacyUser = uniqueName("legacy");
    await env.DB.batch([
      env.DB.prepare("INSERT INTO users (id, display_name, created_at) VALUES (?, ?, 0)").bind(legacyUser, name),
      env.DB.prepare(
        "INSERT INTO user_identities (provider, subject, user_id, created_at) VALUES ('oidc', ?, ?, 0)",
      ).bind(legacySub, legacyUser),
    ]);
    expect(await userOf("legacy")).toBe(legacyUser);
    const keys = await env.DB.prepare("SELECT subject FROM user_identities WHERE user_id = ?").bind(legacyUser).all();
    expect(keys.results).toEqual([{ subject: `${issuer}#${legacySub}` }]);
  });
});

describe("linking an upstream identity is explicit and signed in", () => {
  afterEach(() => vi.restoreAllMocks());

  it("links GitHub to a built-in account only with its password, never by name, and never away from its owner", async () => {
    const alice = await account("alice");
    const bob = await account("bob");
    const [aliceGitHub, sameName] = [githubId(), githubId()];
    interceptGitHub({ alice: { id: aliceGitHub, login: alice }, namesake: { id: sameName, login: alice } });

    // No implicit linking: a GitHub user whose login is the account's name is someone else.
    expect(await whoAmI((await upstreamSignIn({ code: "namesake" })).accessToken as string)).not.toBe(alice);
    // The link action needs the account's password before anyone is sent upstream.
    const wrong = await upstreamSignIn({ code: "alice", link: { user: alice, password: "not the password" } });
    expect(wrong.status).toBe(401);
    const linked = await upstreamSignIn({ code: "alice", link: { user: alice, password: PASSWORD } });
    expect(await whoAmI(linked.accessToken as string)).toBe(alice);
    // From now on plain GitHub sign-in is Alice.
    expect(await whoAmI((await upstreamSignIn({ code: "alice" })).accessToken as string)).toBe(alice);
    // Bob, signed in with his own password, cannot link Alice's GitHub identity to himself.
    const stolen = await upstreamSignIn({ code: "alice", link: { user: bob, password: PASSWORD } });
    expect(stolen.status).toBe(409);
    expect(stolen.html).toContain("already linked to another account");
    expect(await whoAmI((await upstreamSignIn({ code: "alice" })).accessToken as string)).toBe(alice);
  });
});

describe("password spraying", () => {
  afterEach(() => vi.restoreAllMocks());

  it(
    "many user names from one address get 429 before any hashing; other addresses are unaffected",
    { timeout: 360_000 }, // up to 3 runs of 38 calls
    async () => {
      const hashing = vi.spyOn(crypto.subtle, "deriveBits");
      const { victim, results } = await inOneRateWindow(async () => {
        const victim = await account("sprayed");
        const { handle, jar } = await openAuthorizePage(await registerClient(), "memory:read");
        const results: Array<{ status: number; hashes: number }> = [];
        for (let attempt = 0; attempt < 36; attempt += 1) {
          const before = hashing.mock.calls.length;
          // Sign-ups count too (here probing the victim's name, refused after one hash).
          const action = attempt % 7 === 3 ? "signup" : "login";
          const user = attempt === 35 || action === "signup" ? victim : uniqueName("guess");
          const res = await submit(jar, { handle, action, user, password: `Spring2026!${attempt}` });
          results.push({ status: res.status, hashes: hashing.mock.calls.length - before });
        }
        return { victim, results };
      });
      // 30 password attempts a minute per address (sign-ups included), each hashing once; then refusals that hash
      // nothing, even for a real account.
      expect(results.slice(0, 30).every((result) => result.status !== 429 && result.hashes === 1)).toBe(true);
      expect(results.slice(30)).toEqual(Array(6).fill({ status: 429, hashes: 0 }));
      // The victim, from their own address, signs in normally.
      expect(await whoAmI((await signIn(victim)).access_token)).toBe(victim);
    },
  );

  it(
    "an IPv6 client is one address per /64, so rotating addresses inside it does not reset the limit",
    { timeout: 360_000 }, // up to 3 runs of 96 calls
    async () => {
      expect(addressKey("2001:db8:1:2::7")).toBe("2001:db8:1:2::/64");
      expect(addressKey("2001:0db8:0001:0002:ffff:0:0:1")).toBe("2001:db8:1:2::/64");
      expect(addressKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
      const statuses = await inOneRateWindow(async () => {
        const prefix = `2001:db8:${(crypto.getRandomValues(new Uint16Array(1))[0] ?? 0).toString(16)}:1`;
        const statuses: number[] = [];
        for (let attempt = 0; attempt < 32; attempt += 1) {
          const jar = new CookieJar(`${prefix}::${(attempt + 1).toString(16)}`);
          const { handle } = await openAuthorizePage(await registerClient(), "memory:read", jar);
          statuses.push((await submit(jar, { handle, action: "login", user: uniqueName("v6"), password: "x" })).status);
        }
        return statuses;
      });
      expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
      expect(statuses.slice(30)).toEqual([429, 429]);
    },
  );
});
