/**
 * The sign-in and consent page (`/authorize`, built-in accounts and upstream sign-in) and the upstream provider's
 * callback; oauth.ts wires the library and maps verified credentials to identities.
 */
import {
  AuthorizationError,
  authorizationErrorRedirect,
  type AuthRequest,
  type OAuthHelpers,
} from "@cloudflare/workers-oauth-provider";
import { Hono, type Context } from "hono";
import { isScope, type Scope } from "../domain/core/access";
import { AppError } from "../domain/core/app-error";
import type { Env } from "../composition/env";
import type { AccountService } from "./accounts";
import { errorPage, renderAuthorizePage } from "./consent-page";
import { s256, type IdentityProvider } from "./identity-providers";
import { DEFAULT_GRANT, publicOrigin, type AuthProps, type OAuthDeps } from "./oauth";
import { passwordAttemptAllowed } from "./sign-in-limits";

/** Kept by the library between the redirect upstream and the callback (server-side, bound to the browser). */
interface UpstreamData {
  verifier: string;
  scopes: Scope[];
  /** The user who proved their password and asked to link the upstream identity to their account. */
  linkTo?: string | null;
}

type SiteEnv = {
  Bindings: Env & { OAUTH_PROVIDER: OAuthHelpers };
  /** Where the sign-in form may send the browser (the page's CSP `form-action`), see `allowFormTargets`. */
  Variables: { consentRedirect: string | null; upstreamOrigin: string | null };
};

/** `/authorize` (sign-in + consent in one page) and the upstream provider's callback. */
export function authorizeRoutes(
  depsOf: (env: Env) => OAuthDeps,
  /** Built-in accounts and upstream identities over a request's bindings. */
  accountsOf: (env: Env) => AccountService,
): Hono<SiteEnv> {
  const site = new Hono<SiteEnv>();

  site.get("/authorize", async (c) => {
    const oauth = c.env.OAUTH_PROVIDER;
    let request: AuthRequest;
    try {
      request = await oauth.parseAuthRequest(c.req.raw);
    } catch (error) {
      return authorizationFailure(c, error);
    }
    allowFormTargets(c, request.redirectUri, depsOf(c.env));
    const consent = await oauth.beginConsent(request);
    const description = await oauth.describeConsent(request);
    return page(
      c,
      renderAuthorizePage({
        handle: consent.handle,
        clientName: description.clientName ?? request.clientId,
        redirectHost: description.redirectHost,
        redirectUri: request.redirectUri,
        scopes: grantFor(request.scope),
        deps: depsOf(c.env),
        error: null,
      }),
      200,
      consent.headers,
    );
  });

  site.post("/authorize", async (c) => {
    const oauth = c.env.OAUTH_PROVIDER;
    const deps = depsOf(c.env);
    const form = await c.req.formData();
    const handle = String(form.get("handle") ?? "");
    const action = String(form.get("action") ?? "");
    allowFormTargets(c, String(form.get("redirect_uri") ?? ""), deps);
    // One radio button carries a whole access level ("memory:read memory:write"); API callers may send one each.
    const scopes = grantFor(form.getAll("scope").flatMap((value) => String(value).split(" ")));
    try {
      if (action === "deny") {
        const denied = await oauth.denyConsent(c.req.raw, handle);
        return new Response(null, { status: 302, headers: denied.headers });
      }
      if (action === "upstream" && deps.identityProvider) {
        return toUpstream(c, deps.identityProvider, handle, scopes, null);
      }
      if (action === "signup" && !deps.allowSignup) {
        return retryPage(c, deps, handle, scopes, "Sign-up is disabled on this server.", 403);
      }
      if (action === "link" && !deps.identityProvider) {
        return retryPage(c, deps, handle, scopes, "No upstream sign-in is configured to link.", 400);
      }
      // Built-in account (sign-in, sign-up, or proving the account an upstream identity is linked to): checked
      // before the consent handle is used, so a typo can be retried on the same page. The limits come first,
      // so a refused attempt costs no password hashing.
      const user = String(form.get("user") ?? "").trim();
      const password = String(form.get("password") ?? "");
      const limits = { perAddress: deps.addressLimiter, perUser: deps.loginLimiter };
      if (!(await passwordAttemptAllowed(limits, user, c.req.header("CF-Connecting-IP")))) {
        return retryPage(c, deps, handle, scopes, "Too many sign-in attempts. Wait a minute and try again.", 429);
      }
      const accounts = accountsOf(c.env);
      let userId: string | null;
      if (action === "signup") {
        try {
          userId = await accounts.create(user, password, Date.now());
        } catch (error) {
          if (error instanceof AppError && (error.code === "invalid_input" || error.code === "conflict")) {
            return retryPage(c, deps, handle, scopes, error.message, error.code === "conflict" ? 409 : 400);
          }
          throw error;
        }
      } else {
        userId = await accounts.verify(user, password);
        if (!userId) return retryPage(c, deps, handle, scopes, "Wrong user or password.", 401);
      }
      // Linking is explicit and signed in: the password proved the account here, upstream sign-in proves the
      // identity at the callback, and only then are the two joined (AccountService.link).
      if (action === "link" && deps.identityProvider) {
        return toUpstream(c, deps.identityProvider, handle, scopes, userId);
      }
      const approved = await oauth.approveConsent(c.req.raw, handle, { scope: scopes });
      const { redirectTo } = await oauth.completeAuthorization({
        request: approved.request,
        userId,
        metadata: { via: "password" },
        scope: scopes,
        props: { kind: "oauth", userId } satisfies AuthProps,
      });
      approved.headers.set("Location", redirectTo);
      return new Response(null, { status: 302, headers: approved.headers });
    } catch (error) {
      return authorizationFailure(c, error);
    }
  });

  site.get("/oauth/callback", async (c) => {
    const oauth = c.env.OAUTH_PROVIDER;
    const deps = depsOf(c.env);
    try {
      const resumed = await oauth.finishUpstream<UpstreamData>(c.req.raw);
      const code = c.req.query("code");
      if (!deps.identityProvider || !code) {
        resumed.headers.set("Location", deniedRedirect(resumed.request));
        return new Response(null, { status: 302, headers: resumed.headers });
      }
      const upstream = await deps.identityProvider.exchange({
        code,
        redirectUri: `${publicOrigin(c.env, c.req.raw)}/oauth/callback`,
        codeVerifier: resumed.data.verifier,
      });
      const identity = { provider: deps.identityProvider.id, ...upstream };
      const accounts = accountsOf(c.env);
      const { linkTo } = resumed.data;
      if (linkTo) await accounts.link(identity, linkTo, Date.now());
      const userId = linkTo ?? (await accounts.userForIdentity(identity, Date.now()));
      const { redirectTo } = await oauth.completeAuthorization({
        request: resumed.request,
        userId,
        metadata: { via: deps.identityProvider.id },
        scope: resumed.data.scopes,
        props: { kind: "oauth", userId } satisfies AuthProps,
      });
      resumed.headers.set("Location", redirectTo);
      return new Response(null, { status: 302, headers: resumed.headers });
    } catch (error) {
      return authorizationFailure(c, error);
    }
  });
  return site;
}

/** Sends the browser to the upstream provider with PKCE, the approved request saved for the callback. */
async function toUpstream(
  c: Context<SiteEnv>,
  provider: IdentityProvider,
  handle: string,
  scopes: Scope[],
  linkTo: string | null,
): Promise<Response> {
  const oauth = c.env.OAUTH_PROVIDER;
  const approved = await oauth.approveConsent(c.req.raw, handle, { scope: scopes });
  const verifier = `${crypto.randomUUID()}${crypto.randomUUID()}`;
  const data: UpstreamData = { verifier, scopes, linkTo };
  const { state, headers } = await oauth.beginUpstream(approved.request, { data, headers: approved.headers });
  headers.set(
    "Location",
    provider.authorizeUrl({
      state,
      redirectUri: `${publicOrigin(c.env, c.req.raw)}/oauth/callback`,
      codeChallenge: await s256(verifier),
    }),
  );
  return new Response(null, { status: 302, headers });
}

/** The scopes to grant: what was asked, limited to ours; the default pair when nothing usable was asked. */
function grantFor(requested: string[]): Scope[] {
  const known = requested.filter(isScope);
  return known.length ? [...new Set(known)] : [...DEFAULT_GRANT];
}

function deniedRedirect(request: AuthRequest): string {
  return authorizationErrorRedirect(request, "access_denied", "The sign-in was declined or failed upstream.");
}

function authorizationFailure(c: Context<SiteEnv>, error: unknown): Response {
  if (error instanceof AuthorizationError) {
    const redirect = (error as AuthorizationError & { redirectTo?: string }).redirectTo;
    if (redirect) return c.redirect(redirect, 302);
    return page(c, errorPage(error.description ?? error.message), 400);
  }
  if (error instanceof AppError) {
    const status = error.code === "unavailable" ? 502 : error.code === "conflict" ? 409 : 400;
    return page(c, errorPage(error.message), status);
  }
  throw error;
}

function retryPage(
  c: Context<SiteEnv>,
  deps: OAuthDeps,
  handle: string,
  scopes: Scope[],
  message: string,
  status: 400 | 401 | 403 | 409 | 429,
): Response {
  const redirectUri = c.get("consentRedirect");
  return page(
    c,
    renderAuthorizePage({
      handle,
      clientName: null,
      redirectHost: redirectUri ? new URL(redirectUri).host : null,
      redirectUri,
      scopes,
      deps,
      error: message,
    }),
    status,
  );
}

/**
 * Chromium applies the CSP `form-action` of the sign-in page to the redirect that answers its form, so the page
 * allows exactly where that redirect goes: the client's redirect URI (which the OAuth library validated against
 * the registration on GET; on POST it comes back in a hidden field, and a forged value could only break the
 * poster's own page, since the library redirects to the stored URI) and the upstream provider's sign-in page.
 */
function allowFormTargets(c: Context<SiteEnv>, redirectUri: string, deps: OAuthDeps) {
  c.set("consentRedirect", cspSource(redirectUri));
  const upstream = deps.identityProvider?.authorizeUrl({ state: "-", redirectUri: "-", codeChallenge: "-" });
  c.set("upstreamOrigin", upstream ? cspSource(new URL(upstream).origin) : null);
}

/** An http(s) URL (no query or fragment: CSP ignores them) with only characters safe inside a CSP header. */
function cspSource(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const source = `${url.origin}${url.pathname === "/" && !value.endsWith("/") ? "" : url.pathname}`;
  return /^[A-Za-z0-9\-._~:/%@!$&()*+=[\]]+$/.test(source) ? source : null;
}

function page(c: Context<SiteEnv>, html: string, status: number, headers?: Headers): Response {
  const response = new Response(html, { status, headers: headers ?? new Headers() });
  response.headers.set("Content-Type", "text/html; charset=utf-8");
  response.headers.set("Cache-Control", "no-store");
  const targets = [c.get("consentRedirect"), c.get("upstreamOrigin")].filter(Boolean).join(" ");
  response.headers.set(
    "Content-Security-Policy",
    `default-src 'none'; style-src 'unsafe-inline'; form-action 'self'${targets ? ` ${targets}` : ""}; ` +
      "frame-ancestors 'none'; base-uri 'none'",
  );
  // The page's URL carries the client's state and PKCE challenge: no Referer leaves it; no content sniffing.
  response.headers.set("Referrer-Policy", "no-referrer");
  response.headers.set("X-Content-Type-Options", "nosniff");
  return response;
}
