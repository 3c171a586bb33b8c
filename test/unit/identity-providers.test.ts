import { describe, expect, it } from "vitest";
import { OidcProvider, s256 } from "../../src/auth/identity-providers";

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
      if (url === config.tokenEndpoint)
        return Response.json({ access_token: "at-1", token_type: "Bearer", id_token: "x" });
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
    expect(user).toEqual({ subject: "00u1", login: "jane.doe" });
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
});
