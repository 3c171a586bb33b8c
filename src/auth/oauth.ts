/**
 * OAuth 2.1 for remote MCP clients (Claude, Cursor…) with @cloudflare/workers-oauth-provider: authorization
 * code + PKCE, dynamic client registration, refresh, and the RFC 8414 / RFC 9728 metadata documents come from
 * the library; this module owns the sign-in and consent page (`/authorize`), the upstream callback, and the
 * mapping from a verified credential to our Identity. API tokens (`cm_…`, for CI and the command-line client)
 * are accepted beside OAuth tokens through `resolveExternalToken`: they are this server's own credentials.
 */
import {
  AuthorizationError,
  authorizationErrorRedirect,
  OAuthProvider,
  type AuthRequest,
  type OAuthHelpers,
} from "@cloudflare/workers-oauth-provider";
import { Hono, type Context } from "hono";
import { isScope, SCOPES, type Scope } from "../domain/core/access";
import { AppError } from "../domain/core/app-error";
import type { Identity } from "../domain/core/records";
import type { Env } from "../composition/env";
import type { AccountService } from "./accounts";
import { errorPage, renderAuthorizePage } from "./consent-page";
import { s256, type IdentityProvider } from "./identity-providers";
import { passwordAttemptAllowed } from "./sign-in-limits";
import type { TokenService } from "./tokens";

/** What a verified credential carries into the API handler (`ctx.props`). */
export type AuthProps =
  | { kind: "oauth"; userId: string }
  | {
      kind: "api_token";
      userId: string;
      tokenId: string;
      scopes: Scope[];
      teamId: string | null;
      projectId: string | null;
      /** The token's expiry, so a token it mints cannot outlive it (absent in grants made before it existed). */
      expiresAt?: number | null;
    };

/** Scopes an MCP client gets when it asks for none: work with memory, not administer. */
const DEFAULT_GRANT: Scope[] = ["memory:read", "memory:write"];

export interface OAuthDeps {
  /** Upstream sign-in (GitHub or OIDC) when configured. */
  identityProvider: IdentityProvider | null;
  /** Built-in account creation on the sign-in page (self-hosting and local development). */
  allowSignup: boolean;
  /** Password attempts per user and client address; the Workers rate limiting binding. */
  loginLimiter: RateLimit | null;
  /** Password attempts per client address whatever the user name (spraying), sign-up included. */
  addressLimiter: RateLimit | null;
}

/** Kept by the library between the redirect upstream and the callback (server-side, bound to the browser). */
interface UpstreamData {
  verifier: string;
  scopes: Scope[];
  /** The user who proved their password and asked to link the upstream identity to their account. */
  linkTo?: string | null;
}

export function publicOrigin(env: Env, request: Request): string {
  return (env.PUBLIC_URL?.trim() || new URL(request.url).origin).replace(/\/+$/, "");
}

/**
 * The provider for one request. Built per request from `env` (no module-level instance); the API handler
 * gets `ctx.props` and `ctx.auth`, everything else goes to `site` (sign-in pages, health, webhooks).
 */
export function oauthProvider(
  env: Env,
  request: Request,
  handlers: { api: ExportedHandler<Env>; site: ExportedHandler<Env> },
  /** API tokens over this request's `env` (the same env the provider is then fetched with). */
  tokens: TokenService,
): OAuthProvider<Env> {
  const origin = publicOrigin(env, request);
  // The whole origin is the protected resource, so one token serves /mcp and /api/ (the library requires
  // every protected route under the resource; MCP clients accept a resource that is a prefix of their URL).
  const resource = origin;
  return new OAuthProvider<Env>({
    apiRoute: ["/mcp", "/api/"],
    apiHandler: handlers.api as ExportedHandler<Env> & Pick<Required<ExportedHandler<Env>>, "fetch">,
    defaultHandler: handlers.site as ExportedHandler<Env> & Pick<Required<ExportedHandler<Env>>, "fetch">,
    authorizeEndpoint: "/authorize",
    tokenEndpoint: "/oauth/token",
    clientRegistrationEndpoint: "/oauth/register",
    scopesSupported: [...SCOPES, "offline_access"],
    resourceMetadata: { resource, authorization_servers: [origin], resource_name: "Coding Memory" },
    // What an assistant needs to work: the 401 challenge and the resource metadata name both scopes, and MCP
    // clients (the official SDK, Claude Code) request exactly what the challenge names. `admin` is asked for
    // explicitly by a client that manages teams and tokens.
    requiredScopes: [...DEFAULT_GRANT],
    // A refused credential on the API answers in the API's error shape (the Bearer challenge headers stay), so
    // REST clients see one format; the OAuth endpoints keep the standard OAuth error bodies.
    onError: ({ code, description, status, headers, internal }) => {
      if (internal.category !== "protected-resource") return undefined;
      const path = new URL(request.url).pathname;
      if (path !== "/mcp" && !path.startsWith("/api/")) return undefined;
      const message =
        status === 401
          ? "Missing, invalid, expired or revoked credential: send `Authorization: Bearer <token>` (an OAuth access " +
            "token, or an API token from `npm run token` or POST /api/v1/tokens)."
          : description;
      return new Response(
        JSON.stringify({
          error: { code: status === 401 ? "unauthorized" : status === 403 ? "forbidden" : code, message },
        }),
        { status, headers: { ...headers, "Content-Type": "application/json" } },
      );
    },
    resolveExternalToken: async ({ token }) => {
      if (!token.startsWith("cm_")) return null;
      try {
        const { identity, touch } = await tokens.authenticate(`Bearer ${token}`, Date.now());
        if (touch) await touch;
        const props: AuthProps = {
          kind: "api_token",
          userId: identity.userId,
          tokenId: identity.credentialId ?? identity.userId,
          scopes: identity.scopes,
          teamId: identity.teamId,
          projectId: identity.projectId,
          expiresAt: identity.expiresAt ?? null,
        };
        return { props, audience: resource };
      } catch (error) {
        if (error instanceof AppError && error.code === "unauthorized") return null;
        throw error;
      }
    },
  });
}

function isApiPath(request: Request): boolean {
  const path = new URL(request.url).pathname;
  return path === "/mcp" || path.startsWith("/api/");
}

function apiErrorResponse(status: number, code: string, description: string, headers: Headers): Response {
  const message =
    status === 401
      ? "Missing, invalid, expired or revoked credential: send `Authorization: Bearer <token>` (an OAuth access " +
        "token, or an API token from `npm run token` or POST /api/v1/tokens)."
      : description;
  headers.set("Content-Type", "application/json");
  return new Response(
    JSON.stringify({ error: { code: status === 401 ? "unauthorized" : status === 403 ? "forbidden" : code, message } }),
    { status, headers },
  );
}

/** The provider answers a request with no credential by a bare challenge; the API gives its usual error body too. */
export function withApiErrorBody(request: Request, response: Response): Response {
  if (response.status !== 401 || !isApiPath(request) || response.headers.get("Content-Type")?.includes("json")) {
    return response;
  }
  return apiErrorResponse(401, "unauthorized", "", new Headers(response.headers));
}

/** The caller of an API request, from what the provider verified. */
export function identityFromContext(ctx: unknown): Identity {
  const { props, auth } = ctx as { props?: AuthProps; auth?: { scope?: string[]; clientId?: string } };
  if (!props?.userId) throw new AppError("unauthorized", "Missing or invalid credential.");
  if (props.kind === "api_token") {
    return {
      userId: props.userId,
      scopes: props.scopes,
      teamId: props.teamId,
      projectId: props.projectId,
      credentialId: `token:${props.tokenId}`,
      expiresAt: props.expiresAt ?? null,
    };
  }
  const scopes = (auth?.scope ?? []).filter(isScope);
  return {
    userId: props.userId,
    scopes,
    teamId: null,
    projectId: null,
    credentialId: `oauth:${props.userId}:${auth?.clientId ?? "?"}`,
  };
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
