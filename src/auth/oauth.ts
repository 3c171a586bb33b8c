/**
 * OAuth 2.1 for remote MCP clients (Claude, Cursor…) with @cloudflare/workers-oauth-provider: authorization
 * code + PKCE, dynamic client registration, refresh, and the RFC 8414 / RFC 9728 metadata documents come from
 * the library; this module wires it and maps a verified credential to our Identity (the sign-in and consent
 * page and the upstream callback are authorize-routes.ts). API tokens (`cm_…`, for CI and the command-line client)
 * are accepted beside OAuth tokens through `resolveExternalToken`: they are this server's own credentials.
 */
import { OAuthProvider } from "@cloudflare/workers-oauth-provider";
import { isScope, SCOPES, type Scope } from "../domain/core/access";
import { AppError } from "../domain/core/app-error";
import type { Identity } from "../domain/core/records";
import type { Env } from "../composition/env";
import type { IdentityProvider } from "./identity-providers";
import type { TokenService } from "./tokens";

/** What a verified credential carries into the API handler (`ctx.props`). */
export type AuthProps =
  | { kind: "oauth"; userId: string }
  /**
   * A dashboard page calling the API in-process (src/dashboard/api-client.ts) for its signed-in session: the
   * scopes are the ones the user granted when signing in. Never issued by the OAuth provider.
   */
  | { kind: "web_session"; userId: string; sessionId: string; scopes: Scope[] }
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
export const DEFAULT_GRANT: Scope[] = ["memory:read", "memory:write"];

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
  if (props.kind === "web_session") {
    return {
      userId: props.userId,
      scopes: props.scopes,
      teamId: null,
      projectId: null,
      credentialId: `web:${props.sessionId}`,
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
