import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { BASE, newUser, rest, uniqueName, workerFetch } from "../helpers";

const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "rebinding", version: "1" } },
});

function mcpPost(url: string, token: string, headers: Record<string, string> = {}) {
  return workerFetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      Authorization: `Bearer ${token}`,
      ...headers,
    },
    body: INITIALIZE,
  });
}

/** The Worker's real fetch handler with other vars, as a deployment with PUBLIC_URL / ALLOWED_HOSTS runs it. */
async function fetchWith(vars: Record<string, string>, input: string, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  if (!request.headers.has("Host")) request.headers.set("Host", new URL(request.url).host);
  const ctx = createExecutionContext();
  const response = await worker.fetch(request as never, { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

function expectNoStack(text: string) {
  expect(text).not.toMatch(/\bat .*\(file:|\.ts:\d+|TypeError|Error:/);
}

describe("Host names the server answers for", { timeout: 30_000 }, () => {
  it("refuses a non-loopback Host (DNS rebinding) with 421 and a plain error body, on every route", async () => {
    const { token } = await newUser();
    for (const path of ["/health", "/mcp", "/.well-known/oauth-authorization-server", "/authorize", "/api/v1/teams"]) {
      const res = await workerFetch(`http://evil.example.com${path}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      const text = await res.text();
      expect(res.status, `${path}: ${text}`).toBe(421);
      expectNoStack(text);
      expect(JSON.parse(text).error).toMatchObject({ code: "misdirected", details: { host: "evil.example.com" } });
    }
    // What the conformance suite's scenario sends: the loopback address with a foreign Host and Origin.
    const rebound = await mcpPost(`${BASE}/mcp`, token, {
      Host: "evil.example.com",
      Origin: "http://evil.example.com",
    });
    expect(rebound.status).toBe(421);
    // …and the real loopback name is served.
    const local = await mcpPost(`${BASE}/mcp`, token);
    expect(local.status).toBe(200);
    const loopbackIp = await mcpPost("http://127.0.0.1:8787/mcp", token);
    expect(loopbackIp.status).toBe(200);
  });

  it("refuses a foreign browser Origin on /mcp even with the right Host", async () => {
    const { token } = await newUser();
    const res = await mcpPost(`${BASE}/mcp`, token, { Origin: "https://evil.example.com" });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain("at ");
    expect((await mcpPost(`${BASE}/mcp`, token, { Origin: "http://localhost:6274" })).status).toBe(200);
  });

  it("with PUBLIC_URL serves its host and ALLOWED_HOSTS aliases as that origin, and refuses the rest", async () => {
    const vars = { PUBLIC_URL: "https://memory.example.com/", ALLOWED_HOSTS: "memory.internal.example, 10.0.0.5:8443" };
    const metadata = await fetchWith(vars, "https://memory.example.com/.well-known/oauth-protected-resource");
    expect(metadata.status).toBe(200);
    expect(await metadata.json()).toMatchObject({
      resource: "https://memory.example.com",
      authorization_servers: ["https://memory.example.com"],
    });
    // An alias is answered as the public origin: metadata and challenges name PUBLIC_URL, not the alias.
    const alias = await fetchWith(vars, "https://memory.internal.example/.well-known/oauth-authorization-server");
    expect(alias.status).toBe(200);
    expect(((await alias.json()) as { issuer: string }).issuer).toBe("https://memory.example.com");
    const challenge = await fetchWith(vars, "https://10.0.0.5:8443/mcp", { method: "POST", body: INITIALIZE });
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get("WWW-Authenticate")).toContain(
      'resource_metadata="https://memory.example.com/.well-known/oauth-protected-resource"',
    );
    const { token } = await newUser();
    const served = await fetchWith(vars, "https://memory.internal.example/mcp", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
        Authorization: `Bearer ${token}`,
      },
      body: INITIALIZE,
    });
    expect(served.status, await served.clone().text()).toBe(200);
    // Production refuses every other name, loopback included.
    for (const url of ["https://evil.example.com/health", "http://localhost/health", "https://10.0.0.5/health"]) {
      const refused = await fetchWith(vars, url);
      const text = await refused.text();
      expect(refused.status, url).toBe(421);
      expect(text).toContain("memory.example.com");
      expectNoStack(text);
    }
  });

  it("without PUBLIC_URL serves https names listed in ALLOWED_HOSTS and workers.dev, and says why http is refused", async () => {
    const listed = await fetchWith({ ALLOWED_HOSTS: "memory.example.org" }, "https://memory.example.org/health");
    expect(listed.status).toBe(200);
    const workersDev = await fetchWith({}, "https://coding-memory.acme.workers.dev/health");
    expect(workersDev.status).toBe(200);
    const cleartext = await fetchWith({ ALLOWED_HOSTS: "192.168.1.20:8787" }, "http://192.168.1.20:8787/health");
    expect(cleartext.status).toBe(421);
    expect(await cleartext.text()).toContain("PUBLIC_URL");
  });

  it("a misconfigured PUBLIC_URL answers a plain error body, not a stack trace", async () => {
    const res = await fetchWith({ PUBLIC_URL: "http://memory.example.com" }, "http://memory.example.com/health");
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(text).toContain("PUBLIC_URL must be an https URL");
    expectNoStack(text);
  });

  it("a failure inside the OAuth provider answers the plain internal error, not the exception", async () => {
    const broken = {
      get: () => Promise.reject(new TypeError("KV exploded at src/secret/place.ts:12")),
      put: () => Promise.reject(new TypeError("KV exploded at src/secret/place.ts:12")),
      list: () => Promise.reject(new TypeError("KV exploded at src/secret/place.ts:12")),
      delete: () => Promise.reject(new TypeError("KV exploded at src/secret/place.ts:12")),
    };
    const request = new Request(`${BASE}/oauth/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Host: "localhost" },
      body: JSON.stringify({
        client_name: "x",
        redirect_uris: ["http://127.0.0.1:9/cb"],
        token_endpoint_auth_method: "none",
      }),
    });
    const ctx = createExecutionContext();
    const res = await worker.fetch(request as never, { ...env, OAUTH_KV: broken as never }, ctx);
    await waitOnExecutionContext(ctx);
    const text = await res.text();
    expect(res.status, text).toBeGreaterThanOrEqual(500);
    expect(text).not.toContain("exploded");
    expect(text).not.toContain("place.ts");
  });
});

describe("webhook repositories", { timeout: 30_000 }, () => {
  it("claiming a repository another project holds answers 409 naming the field, and changes nothing", async () => {
    const owner = await newUser();
    const other = await newUser();
    const repository = `acme/${uniqueName("api")}`;
    const first = uniqueName("ci");
    const second = uniqueName("ci");
    for (const [who, project] of [
      [owner, first],
      [other, second],
    ] as const) {
      expect(
        (await rest(who.token, "POST", `/api/v1/projects/${project}/errors`, { error_type: "Seed", message: "s" }))
          .status,
      ).toBe(201);
    }
    expect((await rest(owner.token, "POST", `/api/v1/projects/${first}/webhooks`, { repository })).status).toBe(201);
    const taken = await rest(other.token, "POST", `/api/v1/projects/${second}/webhooks`, {
      repository: repository.toUpperCase(),
    });
    expect(taken.status, JSON.stringify(taken.body)).toBe(409);
    expect(taken.body.error).toMatchObject({ code: "conflict", details: { field: "repository" } });
    expect(JSON.stringify(taken.body)).not.toMatch(/Failed query|SQLITE|insert into/i);
    expect((await rest(other.token, "GET", `/api/v1/projects/${second}/webhooks`)).status).toBe(404);
    const kept = await rest(owner.token, "GET", `/api/v1/projects/${first}/webhooks`);
    expect(kept.body.repository).toBe(repository.toLowerCase());
    // The owner re-configuring its own project with the same repository is fine (a rotation).
    expect((await rest(owner.token, "POST", `/api/v1/projects/${first}/webhooks`, { repository })).status).toBe(201);
  });
});
