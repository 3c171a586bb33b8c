import { GitHubProvider, OidcProvider, type IdentityProvider } from "../auth/identity-providers";
import type { OAuthDeps } from "../auth/oauth";
import type { Env } from "./env";

/** How OAuth sign-in is set up: upstream provider (GitHub wins over OIDC when both are set), sign-up, rate limit. */
export function oauthDepsFromEnv(env: Env): OAuthDeps {
  const fetcher = (input: string, init?: RequestInit) => fetch(input, init);
  let identityProvider: IdentityProvider | null = null;
  if (env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET) {
    identityProvider = new GitHubProvider(
      { clientId: env.GITHUB_CLIENT_ID, clientSecret: env.GITHUB_CLIENT_SECRET },
      fetcher,
    );
  } else if (
    env.OIDC_CLIENT_ID &&
    env.OIDC_CLIENT_SECRET &&
    env.OIDC_AUTHORIZATION_ENDPOINT &&
    env.OIDC_TOKEN_ENDPOINT &&
    env.OIDC_USERINFO_ENDPOINT
  ) {
    identityProvider = new OidcProvider(
      {
        label: env.OIDC_LABEL?.trim() || "single sign-on",
        clientId: env.OIDC_CLIENT_ID,
        clientSecret: env.OIDC_CLIENT_SECRET,
        authorizationEndpoint: env.OIDC_AUTHORIZATION_ENDPOINT,
        tokenEndpoint: env.OIDC_TOKEN_ENDPOINT,
        userinfoEndpoint: env.OIDC_USERINFO_ENDPOINT,
        issuer: env.OIDC_ISSUER,
      },
      fetcher,
    );
  }
  return {
    identityProvider,
    allowSignup: env.ALLOW_SIGNUP === "true",
    loginLimiter: env.LOGIN_LIMITER ?? null,
    addressLimiter: env.LOGIN_ADDRESS_LIMITER ?? null,
  };
}
