import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { D1AccountService as AccountService } from "../../src/composition/auth";
import { BASE, callTool, mcpClient, uniqueName, workerFetch } from "../helpers";
import { exchangeCode, LOOPBACK_REDIRECT, openAuthorizePage, registerClient, submit } from "../support/oauth-flow";

const PASSWORD = "correct horse battery";

async function account(): Promise<string> {
  const user = uniqueName("client");
  await new AccountService(env.DB).create(user, PASSWORD, Date.now());
  return user;
}

/** Signs in on an opened page with its preselected level (or `scope`), returns the token response. */
async function allow(
  clientId: string,
  page: Awaited<ReturnType<typeof openAuthorizePage>>,
  user: string,
  options: { scope?: string; resource?: string | null; redirectUri?: string } = {},
) {
  const posted = await submit(page.jar, {
    handle: page.handle,
    redirect_uri: page.redirectField,
    action: "login",
    user,
    password: PASSWORD,
    scope: options.scope ?? page.checked,
  });
  expect(posted.status, await posted.clone().text()).toBe(302);
  return exchangeCode(clientId, posted.headers.get("Location") ?? "", page.verifier, options);
}

async function canWrite(token: string): Promise<{ isError: boolean; text: string }> {
  const client = await mcpClient(token);
  try {
    return await callTool(client, "coding_record_error", {
      project_id: uniqueName("clients"),
      error_type: "TypeError",
      message: "written by an OAuth client",
    });
  } finally {
    await client.close();
  }
}

describe("OAuth as real MCP clients do it", { timeout: 30_000 }, () => {
  it("challenges for read and write, so a client that asks what the challenge names can write", async () => {
    const challenge = await workerFetch(`${BASE}/mcp`, { method: "POST", body: "{}" });
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get("WWW-Authenticate")).toContain('scope="memory:read memory:write"');
    const metadata = await (await workerFetch(`${BASE}/.well-known/oauth-protected-resource`)).json<any>();
    expect(metadata.scopes_supported).toEqual(["memory:read", "memory:write"]);

    const user = await account();
    const clientId = await registerClient();
    const page = await openAuthorizePage(clientId, { scope: "memory:read memory:write" });
    expect(page.response.status).toBe(200);
    // One preselected level that grants both; read-only is offered beside it; admin is not offered unasked.
    expect(page.checked).toBe("memory:read memory:write");
    expect(page.html).toContain('value="memory:read"');
    expect(page.html).not.toContain("admin");
    expect(page.html).toContain("record errors, decisions, file changes and sessions");
    expect(page.html).toContain("app on your computer");
    const tokens = await allow(clientId, page, user);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    expect(tokens.body.scope.split(" ").sort()).toEqual(["memory:read", "memory:write"]);
    expect((await canWrite(tokens.body.access_token)).isError).toBe(false);
  });

  it("a client that asks for no scope gets read and write preselected", async () => {
    const clientId = await registerClient();
    const page = await openAuthorizePage(clientId, { scope: null });
    expect(page.checked).toBe("memory:read memory:write");
    const tokens = await allow(clientId, page, await account());
    expect(tokens.body.scope.split(" ").sort()).toEqual(["memory:read", "memory:write"]);
  });

  it("a client that asks for memory:read only gets read only preselected, says so, and writes are refused", async () => {
    const user = await account();
    const clientId = await registerClient();
    const page = await openAuthorizePage(clientId, { scope: "memory:read" });
    expect(page.checked).toBe("memory:read");
    expect(page.html).toContain("will be refused");
    const readOnly = await allow(clientId, page, user);
    expect(readOnly.body.scope).toBe("memory:read");
    const refused = await canWrite(readOnly.body.access_token);
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain("memory:write");
    // The user may choose read and write on the same page instead.
    const again = await openAuthorizePage(clientId, { scope: "memory:read" });
    const upgraded = await allow(clientId, again, user, { scope: "memory:read memory:write" });
    expect((await canWrite(upgraded.body.access_token)).isError).toBe(false);
  });

  it("offers administering only when asked, preselected then", async () => {
    const clientId = await registerClient();
    const page = await openAuthorizePage(clientId, { scope: "memory:read memory:write admin" });
    expect(page.checked).toBe("memory:read memory:write admin");
    const tokens = await allow(clientId, page, await account());
    expect(tokens.body.scope.split(" ").sort()).toEqual(["admin", "memory:read", "memory:write"]);
  });

  it("lets the sign-in form redirect to exactly the registered loopback redirect URI (CSP form-action)", async () => {
    for (const redirectUri of [LOOPBACK_REDIRECT, "http://localhost:40123/oauth/callback"]) {
      const clientId = await registerClient(redirectUri);
      const page = await openAuthorizePage(clientId, { redirectUri });
      const csp = page.response.headers.get("Content-Security-Policy") ?? "";
      const formAction = /form-action ([^;]+)/.exec(csp)?.[1]?.split(" ");
      // The test Worker has GitHub sign-in configured: its authorize page is the other place the form may go.
      expect(formAction).toEqual(["'self'", redirectUri, "https://github.com"]);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(page.response.headers.get("Referrer-Policy")).toBe("no-referrer");
      expect(page.response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      // A wrong password re-renders the page; its form must still be allowed to go back to the client.
      const wrong = await submit(page.jar, {
        handle: page.handle,
        redirect_uri: page.redirectField,
        action: "login",
        user: "nobody",
        password: "wrong",
        scope: page.checked,
      });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get("Content-Security-Policy")).toContain(
        `form-action 'self' ${redirectUri} https://github.com;`,
      );
      expect(wrong.headers.get("Referrer-Policy")).toBe("no-referrer");
      expect(await wrong.text()).toContain(`value="${redirectUri}"`);
    }
  });

  it("never puts a forged redirect_uri field into the CSP as anything but one source", async () => {
    const clientId = await registerClient();
    const page = await openAuthorizePage(clientId);
    const forged = await submit(page.jar, {
      handle: page.handle,
      redirect_uri: "https://x.example/; script-src *",
      action: "login",
      user: "nobody",
      password: "wrong",
      scope: page.checked,
    });
    const csp = forged.headers.get("Content-Security-Policy") ?? "";
    expect(csp).not.toContain("script-src");
    expect(csp).toContain("form-action 'self' https://github.com;");
  });

  it("accepts the MCP URL itself as the resource (RFC 8707 / RFC 9728) as well as the origin", async () => {
    const user = await account();
    for (const resource of [`${BASE}/mcp`, `${BASE}/`, BASE, null]) {
      const clientId = await registerClient();
      const page = await openAuthorizePage(clientId, { resource });
      expect(page.response.status, `${resource}: ${page.html}`).toBe(200);
      const tokens = await allow(clientId, page, user, { resource });
      expect(tokens.status, `${resource}: ${JSON.stringify(tokens.body)}`).toBe(200);
      expect((await canWrite(tokens.body.access_token)).isError).toBe(false);
      const refreshed = await workerFetch(`${BASE}/oauth/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: tokens.body.refresh_token,
          client_id: clientId,
          ...(resource ? { resource } : {}),
        }).toString(),
      });
      expect(refreshed.status, await refreshed.clone().text()).toBe(200);
    }
    // Another path or another origin is still not this server's resource.
    for (const resource of [`${BASE}/other`, "https://elsewhere.example/mcp", `${BASE}/mcp?x=1`]) {
      const clientId = await registerClient();
      const page = await openAuthorizePage(clientId, { resource });
      expect(page.response.status, resource).toBe(302);
      expect(new URL(page.response.headers.get("Location") ?? "").searchParams.get("error")).toBe("invalid_target");
    }
  });
});
