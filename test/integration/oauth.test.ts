import { afterEach, describe, expect, it, vi } from "vitest";
import { BASE, callTool, mcpClient, rest, uniqueName, workerFetch } from "../helpers";
import {
  account,
  CookieJar,
  exchangeCode,
  openAuthorizePage,
  REDIRECT,
  registerClient,
  signIn,
  submit,
} from "../support/authorize-flow";
import { inOneRateWindow } from "../support/rate-window";

describe("OAuth 2.1 for remote MCP clients", () => {
  afterEach(() => vi.restoreAllMocks());

  it("publishes the authorization-server and protected-resource metadata", async () => {
    const as = await (await workerFetch(`${BASE}/.well-known/oauth-authorization-server`)).json<Record<string, any>>();
    expect(as).toMatchObject({
      issuer: BASE,
      authorization_endpoint: `${BASE}/authorize`,
      token_endpoint: `${BASE}/oauth/token`,
      registration_endpoint: `${BASE}/oauth/register`,
      code_challenge_methods_supported: expect.arrayContaining(["S256"]),
    });
    expect(as.scopes_supported).toEqual(expect.arrayContaining(["memory:read", "memory:write", "admin"]));
    const prm = await workerFetch(`${BASE}/.well-known/oauth-protected-resource`);
    expect(prm.status).toBe(200);
    expect(await prm.json()).toMatchObject({ resource: BASE, authorization_servers: [BASE] });
    const challenge = await workerFetch(`${BASE}/mcp`, { method: "POST", body: "{}" });
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get("WWW-Authenticate")).toContain("resource_metadata");
  }, 20_000); // 4 calls

  it("signs a user in with code + PKCE after a wrong password, then the token works over MCP and REST and refreshes", async () => {
    const user = await account("alice");
    const clientId = await registerClient();
    const { html, handle, jar, verifier } = await openAuthorizePage(clientId, "memory:read memory:write");
    expect(html).toContain("Claude Code");
    expect(html).toContain("record errors, decisions");

    const wrong = await submit(jar, {
      handle,
      action: "login",
      user,
      password: "not the password",
      scope: ["memory:read"],
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("Wrong user or password");
    // The same page (same handle) works once the password is right.
    const ok = await submit(jar, {
      handle,
      action: "login",
      user,
      password: "correct horse battery",
      scope: ["memory:read", "memory:write"],
    });
    expect(ok.status).toBe(302);
    const tokens = await exchangeCode(clientId, ok.headers.get("Location") ?? "", verifier);
    expect(tokens.scope.split(" ").sort()).toEqual(["memory:read", "memory:write"]);

    const client = await mcpClient(tokens.access_token);
    const project = uniqueName("oauth");
    const recorded = await callTool(client, "coding_record_error", {
      project_id: project,
      error_type: "E",
      message: "via oauth",
    });
    expect(recorded.isError, recorded.text).toBe(false);
    await client.close();
    const viaRest = await rest(tokens.access_token, "GET", `/api/v1/projects/${project}/errors`);
    expect(viaRest.status).toBe(200);
    expect(viaRest.body.items[0].user_id).toBe(user);
    // No admin scope was granted: administering is refused.
    expect(
      (await rest(tokens.access_token, "POST", "/api/v1/teams", { slug: uniqueName("t").toLowerCase() })).status,
    ).toBe(403);

    const refreshed = await workerFetch(`${BASE}/oauth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: tokens.refresh_token,
        client_id: clientId,
      }).toString(),
    });
    const fresh = (await refreshed.json()) as { access_token: string };
    expect(refreshed.status).toBe(200);
    expect((await rest(fresh.access_token, "GET", `/api/v1/projects/${project}/errors`)).status).toBe(200);
  }, 25_000); // 7 calls

  it("two OAuth users of one team share a project; a third sees nothing", async () => {
    const alice = await signIn(await account("alice"), "memory:read memory:write admin");
    const bobUser = await account("bob");
    const bob = await signIn(bobUser);
    const carol = await signIn(await account("carol"));
    const team = uniqueName("team").toLowerCase();
    const project = uniqueName("shared");
    expect((await rest(alice.access_token, "POST", "/api/v1/teams", { slug: team })).status).toBe(201);
    expect(
      (
        await rest(alice.access_token, "POST", `/api/v1/projects/${project}/errors`, {
          error_type: "ValueError",
          message: "bad invoice total",
        })
      ).status,
    ).toBe(201);
    expect((await rest(alice.access_token, "POST", `/api/v1/projects/${project}/transfer`, { team })).status).toBe(200);
    const invite = await rest(alice.access_token, "POST", `/api/v1/teams/${team}/invitations`, { role: "member" });
    expect(
      (await rest(bob.access_token, "POST", "/api/v1/invitations/accept", { code: invite.body.code })).status,
    ).toBe(200);

    const bobClient = await mcpClient(bob.access_token);
    const found = await callTool(bobClient, "coding_search_errors", { project_id: project, query: "invoice total" });
    expect(found.data.results[0].message).toBe("bad invoice total");
    await bobClient.close();
    const carolClient = await mcpClient(carol.access_token);
    const hidden = await callTool(carolClient, "coding_search_errors", { project_id: project, query: "invoice total" });
    expect(hidden.isError).toBe(true);
    expect(hidden.text).not.toContain("invoice");
    await carolClient.close();
  }, 30_000); // 12 calls

  it("denies: the client gets access_denied; sign-in attempts are rate limited", async () => {
    const clientId = await registerClient();
    const { handle, jar } = await openAuthorizePage(clientId, "memory:read");
    const denied = await submit(jar, { handle, action: "deny" });
    expect(denied.status).toBe(302);
    expect(new URL(denied.headers.get("Location") ?? "").searchParams.get("error")).toBe("access_denied");

    const statuses = await inOneRateWindow(async () => {
      const user = await account("mallory-target");
      const page = await openAuthorizePage(clientId, "memory:read");
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 12; attempt += 1) {
        statuses.push(
          (await submit(page.jar, { handle: page.handle, action: "login", user, password: `guess-${attempt}` })).status,
        );
      }
      return statuses;
    });
    expect(statuses).toContain(429);
    expect(statuses.slice(0, 5).every((status) => status === 401)).toBe(true);
  }, 60_000); // 14 calls, and up to 2 more runs of 13 if a run straddles a rate-limit window

  it("signs in through GitHub (pluggable upstream provider), creating and then reusing the linked user", async () => {
    const realFetch = globalThis.fetch;
    const calls: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (url.startsWith("https://github.com/login/oauth/access_token")) {
        calls.push("token");
        const body = JSON.parse(String(init?.body)) as { code: string; code_verifier: string };
        expect(body.code).toBe("gh-code");
        expect(body.code_verifier.length).toBeGreaterThan(40);
        return Response.json({ access_token: "gho_test", token_type: "bearer", scope: "read:user" });
      }
      if (url === "https://api.github.com/user") {
        calls.push("user");
        return Response.json({ id: 583231, login: "octocat", name: "The Octocat" });
      }
      return realFetch(input, init);
    });
    const users: string[] = [];
    for (let round = 0; round < 2; round += 1) {
      const clientId = await registerClient("Cursor");
      const { html, handle, jar, verifier } = await openAuthorizePage(clientId, "memory:read memory:write");
      expect(html).toContain("Sign in with GitHub");
      const toGitHub = await submit(jar, { handle, action: "upstream", scope: ["memory:read", "memory:write"] });
      expect(toGitHub.status).toBe(302);
      const github = new URL(toGitHub.headers.get("Location") ?? "");
      expect(github.origin + github.pathname).toBe("https://github.com/login/oauth/authorize");
      expect(github.searchParams.get("code_challenge_method")).toBe("S256");
      const callback = await workerFetch(
        `${BASE}/oauth/callback?code=gh-code&state=${encodeURIComponent(github.searchParams.get("state") ?? "")}`,
        { headers: { Cookie: jar.header() }, redirect: "manual" },
      );
      expect(callback.status, await callback.clone().text()).toBe(302);
      const tokens = await exchangeCode(clientId, callback.headers.get("Location") ?? "", verifier);
      const project = uniqueName("gh");
      const recorded = await rest(tokens.access_token, "POST", `/api/v1/projects/${project}/errors`, {
        error_type: "E",
        message: "m",
      });
      expect(recorded.status).toBe(201);
      const listed = await rest(tokens.access_token, "GET", `/api/v1/projects/${project}/errors`);
      // A generated id (the login is only its readable part), the same user both times.
      users.push(listed.body.items[0].user_id);
    }
    expect(users[0]).toMatch(/^octocat-[a-z2-9]{8}@github$/);
    expect(users[1]).toBe(users[0]);
    expect(calls).toEqual(["token", "user", "token", "user"]);
  }, 25_000); // 9 calls
});

describe("the MCP SDK client's own OAuth flow (as claude mcp add --transport http does it)", () => {
  it("discovers, registers, signs in through the browser page, and calls tools with the issued token", async () => {
    const { Client, StreamableHTTPClientTransport, UnauthorizedError } = await import("@modelcontextprotocol/client");
    const user = await account("sdk");
    const store: { client?: unknown; tokens?: unknown; verifier?: string; authorizationUrl?: URL } = {};
    const provider = {
      get redirectUrl() {
        return REDIRECT;
      },
      get clientMetadata() {
        return {
          client_name: "MCP SDK test client",
          redirect_uris: [REDIRECT],
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          token_endpoint_auth_method: "none",
        };
      },
      clientInformation: () => store.client as never,
      saveClientInformation: (info: unknown) => void (store.client = info),
      tokens: () => store.tokens as never,
      saveTokens: (tokens: unknown) => void (store.tokens = tokens),
      redirectToAuthorization: (url: URL) => void (store.authorizationUrl = url),
      saveCodeVerifier: (verifier: string) => void (store.verifier = verifier),
      codeVerifier: () => store.verifier ?? "",
    };
    const transportFor = () =>
      new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
        authProvider: provider as never,
        fetch: (url, init) => workerFetch(url, init),
      });
    const first = new Client({ name: "sdk-oauth", version: "1.0.0" });
    const transport = transportFor();
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    // The "browser": open the authorization URL the SDK built, sign in, follow the redirect back to the client.
    const authorize = store.authorizationUrl as URL;
    expect(authorize.pathname).toBe("/authorize");
    const jar = new CookieJar();
    // What the SDK asks for comes from the 401 challenge; a user who just clicks Allow must get write access.
    expect(authorize.searchParams.get("scope")?.split(" ")).toEqual(
      expect.arrayContaining(["memory:read", "memory:write"]),
    );
    const page = await workerFetch(authorize);
    jar.take(page);
    const html = await page.text();
    const handle = /name="handle" value="([^"]+)"/.exec(html)?.[1] as string;
    const checked = /<input type="radio" name="scope" value="([^"]+)" checked>/.exec(html)?.[1];
    expect(checked, html).toBeTruthy();
    const signedIn = await submit(jar, {
      handle,
      action: "login",
      user,
      password: "correct horse battery",
      scope: [checked as string],
      redirect_uri: /name="redirect_uri" value="([^"]+)"/.exec(html)?.[1] as string,
    });
    // The redirect carries code, state and iss (RFC 9207), which the SDK checks.
    await transport.finishAuth(new URL(signedIn.headers.get("Location") ?? "").searchParams);

    const client = new Client({ name: "sdk-oauth", version: "1.0.0" });
    await client.connect(transportFor());
    const result = await callTool(client, "coding_record_error", {
      project_id: uniqueName("sdk"),
      error_type: "E",
      message: "via the SDK's OAuth",
    });
    expect(result.isError, result.text).toBe(false);
    await client.close();
  }, 20_000); // 4 calls
});
