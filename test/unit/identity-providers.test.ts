import { describe, expect, it } from "vitest";
import { OidcProvider, s256 } from "../../src/auth/identity-providers";
import { toBase64Url } from "../../src/domain/core/encoding";

/** An ID token as a provider's token endpoint returns it (header.payload.signature, base64url JSON). */
function idToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify(value)));
  return `${part({ alg: "RS256", kid: "k1" })}.${part({ iat: 1, exp: 2, ...claims })}.c2lnbmF0dXJl`;
}

describe("OpenID Connect upstream sign-in", () => {
  const config = {
    label: "Acme SSO",
    clientId: "cm-client",
    clientSecret: "cm-secret",
    authorizationEndpoint: "https://sso.acme.test/oauth2/authorize",
    tokenEndpoint: "https://sso.acme.test/oauth2/token",
    userinfoEndpoint: "https://sso.acme.test/oauth2/userinfo",
  };

  it("sends the browser to the provider with PKCE and exchanges the code for the user", async () => {
    const requests: Array<{ url: string; body: string | null; authorization: string | null }> = [];
    const provider = new OidcProvider(config, async (url, init) => {
      requests.push({
        url,
        body: typeof init?.body === "string" ? init.body : null,
        authorization: new Headers(init?.headers).get("Authorization"),
      });
      if (url === config.tokenEndpoint) {
        const id_token = idToken({ iss: "https://sso.acme.test", aud: "cm-client", sub: "00u1" });
        return Response.json({ access_token: "at-1", token_type: "Bearer", id_token });
      }
      return Response.json({ sub: "00u1", preferred_username: "jane.doe", email: "jane@acme.test" });
    });
    const verifier = "v".repeat(64);
    const authorize = new URL(
      provider.authorizeUrl({
        state: "st",
        redirectUri: "https://memory.acme.test/oauth/callback",
        codeChallenge: await s256(verifier),
      }),
    );
    expect(authorize.origin + authorize.pathname).toBe(config.authorizationEndpoint);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "cm-client",
      scope: "openid profile email",
      state: "st",
      code_challenge_method: "S256",
    });
    const user = await provider.exchange({
      code: "c-1",
      redirectUri: "https://memory.acme.test/oauth/callback",
      codeVerifier: verifier,
    });
    // The identity is the issuer's subject: a `sub` is only unique within its issuer.
    expect(user).toEqual({ subject: "https://sso.acme.test#00u1", login: "jane.doe", legacySubject: "00u1" });
    const token = new URLSearchParams(requests[0]?.body ?? "");
    expect(Object.fromEntries(token)).toMatchObject({
      grant_type: "authorization_code",
      code: "c-1",
      code_verifier: verifier,
    });
    expect(requests[1]).toMatchObject({ url: config.userinfoEndpoint, authorization: "Bearer at-1" });
  });

  it("fails clearly when the provider refuses the code", async () => {
    const provider = new OidcProvider(config, async () => Response.json({ error: "invalid_grant" }, { status: 400 }));
    await expect(provider.exchange({ code: "bad", redirectUri: "https://x/cb", codeVerifier: "v" })).rejects.toThrow(
      "Acme SSO token exchange failed (400)",
    );
  });

  /** A provider whose token endpoint returns `id_token` (or none) and whose userinfo says `sub`. */
  function provider(options: { idToken?: string; sub?: string; issuer?: string }) {
    return new OidcProvider({ ...config, issuer: options.issuer }, async (url) =>
      url === config.tokenEndpoint
        ? Response.json({ access_token: "at", token_type: "Bearer", id_token: options.idToken })
        : Response.json({ sub: options.sub ?? "00u1", preferred_username: "jane.doe" }),
    );
  }
  const exchange = (oidc: OidcProvider) => oidc.exchange({ code: "c", redirectUri: "https://x/cb", codeVerifier: "v" });

  it("keys the identity by issuer and sub, and refuses an ID token for another client, user or issuer", async () => {
    const good = { iss: "https://sso.acme.test", aud: ["other", "cm-client"], sub: "00u1" };
    expect((await exchange(provider({ idToken: idToken(good) }))).subject).toBe("https://sso.acme.test#00u1");
    // Another IdP's token for the same sub is another person.
    const other = idToken({ ...good, iss: "https://evil.test" });
    expect((await exchange(provider({ idToken: other }))).subject).toBe("https://evil.test#00u1");
    await expect(exchange(provider({ idToken: other, issuer: "https://sso.acme.test" }))).rejects.toThrow(
      "unexpected issuer",
    );
    // Audience not us, or a userinfo `sub` that is not the token's (a mix-up): refused.
    await expect(exchange(provider({ idToken: idToken({ ...good, aud: "someone-else" }) }))).rejects.toThrow(
      "does not match",
    );
    await expect(exchange(provider({ idToken: idToken(good), sub: "00u2" }))).rejects.toThrow("does not match");
    // An issuer cannot smuggle a `#` into the key.
    await expect(exchange(provider({ idToken: idToken({ ...good, iss: "https://a.test#x" }) }))).rejects.toThrow(
      "does not match",
    );
    // No ID token: only with a configured issuer.
    await expect(exchange(provider({}))).rejects.toThrow("set OIDC_ISSUER");
    expect((await exchange(provider({ issuer: "https://sso.acme.test/" }))).subject).toBe("https://sso.acme.test#00u1");
  });
});
