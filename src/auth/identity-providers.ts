/**
 * Upstream sign-in for OAuth: GitHub, or any OpenID Connect provider. Both are the same small interface, so a
 * deployment picks one by configuration and the authorize page does not care which. `fetch` is injected, so
 * tests answer GitHub's and the OIDC provider's endpoints with recorded-shape responses.
 */
import { AppError } from "../domain/core/app-error";
import { fromBase64, toBase64Url } from "../domain/core/encoding";

export interface UpstreamUser {
  /**
   * The provider's immutable key for the person, the only thing an identity is looked up by: GitHub's numeric
   * user id; for OIDC `<iss>#<sub>` (a `sub` is unique only within its issuer).
   */
  subject: string;
  /** A display name (GitHub login, OIDC preferred_username): it can change and be reused, so it keys nothing. */
  login: string;
  /** OIDC: the bare `sub` that identities were stored under before they carried the issuer. */
  legacySubject?: string;
}

/** What the sign-in page sends the user upstream with. */
export interface AuthorizeRequest {
  state: string;
  redirectUri: string;
  codeChallenge: string;
}

export interface IdentityProvider {
  id: "github" | "oidc";
  label: string;
  /** Where to send the browser; `codeChallenge` is the S256 PKCE challenge of a verifier kept server-side. */
  authorizeUrl(request: AuthorizeRequest): string;
  exchange(options: { code: string; redirectUri: string; codeVerifier: string }): Promise<UpstreamUser>;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

async function json(response: Response, what: string): Promise<Record<string, unknown>> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok || typeof body !== "object" || body === null) {
    throw new AppError("unavailable", `${what} failed (${response.status}).`, { details: { status: response.status } });
  }
  return body as Record<string, unknown>;
}

export class GitHubProvider implements IdentityProvider {
  readonly id = "github" as const;
  readonly label = "GitHub";

  constructor(
    private readonly config: { clientId: string; clientSecret: string },
    private readonly fetch: Fetch,
  ) {}

  authorizeUrl(request: AuthorizeRequest) {
    return pkceAuthorizeUrl("https://github.com/login/oauth/authorize", this.config.clientId, "read:user", request);
  }

  async exchange({ code, redirectUri, codeVerifier }: { code: string; redirectUri: string; codeVerifier: string }) {
    const token = await json(
      await this.fetch("https://github.com/login/oauth/access_token", {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json" },
        body: JSON.stringify({
          client_id: this.config.clientId,
          client_secret: this.config.clientSecret,
          code,
          redirect_uri: redirectUri,
          code_verifier: codeVerifier,
        }),
      }),
      "GitHub token exchange",
    );
    // GitHub answers 200 with an `error` field for a bad or expired code.
    if (typeof token.access_token !== "string") {
      throw new AppError(
        "unauthorized",
        `GitHub sign-in failed: ${String(token.error_description ?? token.error ?? "no token")}.`,
      );
    }
    const user = await json(
      await this.fetch("https://api.github.com/user", {
        headers: {
          Authorization: `Bearer ${token.access_token}`,
          Accept: "application/vnd.github+json",
          "User-Agent": "coding-memory",
        },
      }),
      "GitHub user lookup",
    );
    if (user.id === undefined || typeof user.login !== "string") {
      throw new AppError("unavailable", "GitHub user lookup returned no id/login.");
    }
    return { subject: String(user.id), login: user.login };
  }
}

/** Any OpenID Connect provider, configured by its endpoints (no discovery fetch on the sign-in path). */
export class OidcProvider implements IdentityProvider {
  readonly id = "oidc" as const;

  constructor(
    private readonly config: {
      label: string;
      clientId: string;
      clientSecret: string;
      authorizationEndpoint: string;
      tokenEndpoint: string;
      userinfoEndpoint: string;
      /** The provider's issuer (`OIDC_ISSUER`); the ID token's `iss` must equal it when set. */
      issuer?: string;
    },
    private readonly fetch: Fetch,
  ) {}

  get label() {
    return this.config.label;
  }

  authorizeUrl(request: AuthorizeRequest) {
    return pkceAuthorizeUrl(this.config.authorizationEndpoint, this.config.clientId, "openid profile email", request, {
      response_type: "code",
    });
  }

  async exchange({ code, redirectUri, codeVerifier }: { code: string; redirectUri: string; codeVerifier: string }) {
    const token = await json(
      await this.fetch(this.config.tokenEndpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code,
          redirect_uri: redirectUri,
          client_id: this.config.clientId,
          client_secret: this.config.clientSecret,
          code_verifier: codeVerifier,
        }).toString(),
      }),
      `${this.config.label} token exchange`,
    );
    if (typeof token.access_token !== "string")
      throw new AppError("unauthorized", `${this.config.label} sign-in failed.`);
    const info = await json(
      await this.fetch(this.config.userinfoEndpoint, { headers: { Authorization: `Bearer ${token.access_token}` } }),
      `${this.config.label} userinfo`,
    );
    if (typeof info.sub !== "string" || !info.sub) {
      throw new AppError("unavailable", `${this.config.label} userinfo has no sub.`);
    }
    const issuer = this.issuerOf(token.id_token, info.sub);
    const login =
      (typeof info.preferred_username === "string" && info.preferred_username) ||
      (typeof info.email === "string" && info.email.split("@")[0]) ||
      info.sub;
    return { subject: `${issuer}#${info.sub}`, login, legacySubject: info.sub };
  }

  /**
   * The issuer the `sub` belongs to. The ID token comes straight from the token endpoint over TLS, which OIDC
   * Core (3.1.3.7) accepts in place of checking its signature; its audience must be us and its `sub` the
   * userinfo's (5.3.2), and its `iss` the configured issuer when one is set.
   */
  private issuerOf(idToken: unknown, sub: string): string {
    const configured = this.config.issuer?.trim().replace(/\/+$/, "") || null;
    const claims = typeof idToken === "string" ? decodeJwtPayload(idToken) : null;
    if (!claims) {
      if (configured) return configured;
      throw new AppError("unavailable", `${this.config.label} returned no ID token; set OIDC_ISSUER.`);
    }
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const iss = typeof claims.iss === "string" ? claims.iss.replace(/\/+$/, "") : "";
    if (!iss || iss.includes("#") || !audience.includes(this.config.clientId) || claims.sub !== sub) {
      throw new AppError("unauthorized", `${this.config.label} sign-in failed: the ID token does not match.`);
    }
    if (configured && iss !== configured) {
      throw new AppError("unauthorized", `${this.config.label} sign-in failed: unexpected issuer ${iss}.`);
    }
    return iss;
  }
}

function decodeJwtPayload(jwt: string): Record<string, unknown> | null {
  const payload = jwt.split(".")[1];
  if (!payload) return null;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(fromBase64(payload)));
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export async function s256(verifier: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
}

/** An authorization-code request with PKCE (S256) to an upstream provider's authorization endpoint. */
function pkceAuthorizeUrl(
  endpoint: string,
  clientId: string,
  scope: string,
  { state, redirectUri, codeChallenge }: AuthorizeRequest,
  extra: Record<string, string> = {},
): string {
  const url = new URL(endpoint);
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  url.searchParams.set("client_id", clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("scope", scope);
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  return url.toString();
}
