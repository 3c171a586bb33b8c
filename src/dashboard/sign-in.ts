import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import { s256 } from "../auth/identity-providers";
import { WEB_SESSION_TTL_MS } from "../auth/web-sessions";
import { isScope } from "../domain/core/access";
import { randomBase64Url } from "../domain/core/encoding";
import { assetPaths } from "./assets";
import { barePage } from "./html";
import { sendPage } from "./respond";
import { clearSessionCookie, cookieName, setSessionCookie, type DashboardDeps, type DashEnv } from "./session";

/** What the dashboard asks for; the person may grant less on the consent page, and the session has what they grant. */
const DASHBOARD_SCOPE = "memory:read memory:write admin";
const SIGN_IN_COOKIE = "cm_signin";

/**
 * Signing in to the dashboard is an OAuth authorization-code flow with PKCE against this server's own
 * `/authorize`: one sign-in page for assistants and people, so built-in accounts, sign-up, GitHub/OIDC, account
 * linking and the password limits all apply unchanged. The callback exchanges the code in-process, reads who
 * signed in and what they granted, revokes the grant (the dashboard keeps no OAuth token), and starts a cookie
 * session.
 */
export function signInRoutes(deps: DashboardDeps): Hono<DashEnv> {
  const site = new Hono<DashEnv>();

  site.get("/dashboard/login", async (c) => {
    const origin = deps.origin(c.env, c.req.raw);
    const clientId = await dashboardClient(c.env, origin);
    const state = randomBase64Url(24);
    const verifier = `${randomBase64Url(24)}${randomBase64Url(24)}`;
    const next = safeNext(c.req.query("next"));
    setCookie(c, cookieName(origin, SIGN_IN_COOKIE), `${state}.${verifier}.${encodeURIComponent(next)}`, {
      path: "/",
      httpOnly: true,
      secure: origin.startsWith("https://"),
      // Lax: the way back can start at GitHub (a cross-site navigation), and must still carry it.
      sameSite: "Lax",
      maxAge: 15 * 60,
    });
    const authorize = new URL("/authorize", origin);
    authorize.search = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: `${origin}/dashboard/callback`,
      scope: DASHBOARD_SCOPE,
      state,
      code_challenge: await s256(verifier),
      code_challenge_method: "S256",
      resource: origin,
    }).toString();
    return c.redirect(authorize.href, 303);
  });

  site.get("/dashboard/callback", async (c) => {
    const origin = deps.origin(c.env, c.req.raw);
    const assets = await assetPaths();
    const [state, verifier, ...rest] = (getCookie(c, cookieName(origin, SIGN_IN_COOKIE)) ?? "").split(".");
    const next = rest.join(".");
    deleteCookie(c, cookieName(origin, SIGN_IN_COOKIE), { path: "/", secure: origin.startsWith("https://") });
    const again = html`<p><a href="/dashboard/login">Sign in again</a></p>`;
    if (c.req.query("error")) {
      return sendPage(
        c,
        barePage(
          assets,
          "Not signed in",
          html`<p class="problem">Sign-in was declined.</p>
            ${again}`,
        ),
        403,
      );
    }
    const code = c.req.query("code");
    if (!state || !verifier || !code || c.req.query("state") !== state) {
      return sendPage(
        c,
        barePage(
          assets,
          "Not signed in",
          html`<p class="problem">This sign-in expired or was not started here.</p>
            ${again}`,
        ),
        400,
      );
    }
    const exchanged = await deps.oauth(
      new Request(`${origin}/oauth/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code,
          redirect_uri: `${origin}/dashboard/callback`,
          client_id: await dashboardClient(c.env, origin),
          code_verifier: verifier,
          resource: origin,
        }).toString(),
      }),
      c.env,
      c.executionCtx as ExecutionContext,
    );
    const tokens = (await exchanged.json().catch(() => ({}))) as { access_token?: string };
    const summary = tokens.access_token ? await c.env.OAUTH_PROVIDER.unwrapToken(tokens.access_token) : null;
    if (!exchanged.ok || !summary) {
      return sendPage(
        c,
        barePage(
          assets,
          "Not signed in",
          html`<p class="problem">The sign-in could not be completed.</p>
            ${again}`,
        ),
        400,
      );
    }
    // The session is the dashboard's credential from here on; the OAuth grant (and its refresh token) is dropped.
    await c.env.OAUTH_PROVIDER.revokeGrant(summary.grantId, summary.userId);
    const { secret } = await deps.sessions(c.env).start(summary.userId, summary.scope.filter(isScope), Date.now());
    setSessionCookie(c, origin, secret, WEB_SESSION_TTL_MS / 1000);
    return c.redirect(safeNext(decodeURIComponent(next)), 303);
  });

  site.get("/dashboard/signed-out", async (c) =>
    sendPage(c, barePage(await assetPaths(), "Signed out", html`<p><a href="/dashboard/login">Sign in</a></p>`)),
  );
  return site;
}

/** Ends the session behind the cookie (its row is deleted: the cookie is worthless at once). */
export async function signOut(c: import("hono").Context<DashEnv>, deps: DashboardDeps): Promise<Response> {
  await deps.sessions(c.env).end(c.get("session"));
  clearSessionCookie(c, c.get("origin"));
  return c.redirect("/dashboard/signed-out", 303);
}

/** Where to go after sign-in: a dashboard path only (never another origin, never `//host`). */
function safeNext(value: string | undefined): string {
  return value && /^\/dashboard(\/|$|\?)/.test(value) && !value.includes("\\") ? value : "/dashboard";
}

/**
 * The dashboard's OAuth client registration for this origin: a public client (PKCE, no secret) whose only
 * redirect is this origin's /dashboard/callback. Registered at first use and remembered in OAUTH_KV.
 */
async function dashboardClient(env: DashEnv["Bindings"], origin: string): Promise<string> {
  const key = `coding-memory:dashboard-client:${origin}`;
  const known = await env.OAUTH_KV.get(key);
  if (known && (await env.OAUTH_PROVIDER.lookupClient(known))) return known;
  const client = await env.OAUTH_PROVIDER.createClient({
    redirectUris: [`${origin}/dashboard/callback`],
    clientName: "Coding Memory dashboard",
    tokenEndpointAuthMethod: "none",
    grantTypes: ["authorization_code"],
    responseTypes: ["code"],
  });
  await env.OAUTH_KV.put(key, client.clientId);
  return client.clientId;
}
