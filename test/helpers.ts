import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { env, exports } from "cloudflare:workers";
import { D1TokenService as TokenService } from "../src/composition/auth";

export const BASE = "http://localhost";

export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

export async function newUser(userId = uniqueName("dev")): Promise<{ userId: string; token: string }> {
  const issued = await new TokenService(env.DB).issue(userId, "test", { now: Date.now() });
  return { userId, token: issued.token };
}

export function workerFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  // A real HTTP client always sends Host; the MCP handler validates it against DNS-rebinding attacks.
  const request = new Request(input, init);
  if (!request.headers.has("Host")) request.headers.set("Host", new URL(request.url).host);
  return (exports as unknown as { default: Fetcher }).default.fetch(request);
}

/** The official MCP client over Streamable HTTP, talking to the Worker's real /mcp entry point. */
export async function mcpClient(
  token: string,
  options?: ConstructorParameters<typeof Client>[1],
  setup?: (client: Client) => void,
): Promise<Client> {
  const client = new Client({ name: "coding-memory-tests", version: "1.0.0" }, options);
  setup?.(client);
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
    fetch: (url, init) => workerFetch(url, init),
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  // With the tool list cached, the SDK client checks every result's structuredContent against the tool's
  // outputSchema, so every test that calls a tool also checks its shape.
  await client.listTools();
  return client;
}

export interface ToolCall {
  isError: boolean;
  text: string;
  data: Record<string, any>;
}

export async function callTool(client: Client, name: string, args: Record<string, unknown>): Promise<ToolCall> {
  const result = (await client.callTool({ name, arguments: args })) as {
    isError?: boolean;
    content?: Array<{ type: string; text?: string }>;
    structuredContent?: Record<string, unknown>;
  };
  return {
    isError: result.isError === true,
    text: (result.content ?? []).map((c) => c.text ?? "").join("\n"),
    data: (result.structuredContent ?? {}) as Record<string, any>,
  };
}

export async function rest(
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await workerFetch(`${BASE}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Non-JSON bodies are returned as text so a test can show them.
  }
  return { status: response.status, body: parsed };
}

export interface OpenAiFake {
  /** The request bodies it received, in order. */
  calls: Array<Record<string, any>>;
  /** Set to answer every call with this HTTP status instead (with a short retry-after, so SDK retries stay quick). */
  failWith: number | null;
  restore(): void;
}

/**
 * OpenAI's Chat Completions API, intercepted at the global fetch the Worker uses (tests, the Worker and its queue
 * consumer share one isolate), answering like the real endpoint with `reply(body)` as the assistant's text and
 * the given usage (a function of the request body, or null for a server that omits `usage`). Every other host goes
 * to the real fetch. Install in beforeEach, restore in afterEach.
 */
export function interceptOpenAi(
  reply: (body: Record<string, any>) => string,
  usage:
    | { prompt_tokens: number; completion_tokens: number }
    | null
    | ((body: Record<string, any>) => { prompt_tokens: number; completion_tokens: number } | null),
): OpenAiFake {
  const original = globalThis.fetch;
  const fake: OpenAiFake = {
    calls: [],
    failWith: null,
    restore: () => {
      globalThis.fetch = original;
    },
  };
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (new URL(request.url).host !== "api.openai.com") return original(input, init);
    const body = (await request.json()) as Record<string, any>;
    fake.calls.push(body);
    if (fake.failWith) {
      return Response.json(
        { error: { message: "upstream down" } },
        { status: fake.failWith, headers: { "retry-after-ms": "5" } },
      );
    }
    const used = typeof usage === "function" ? usage(body) : usage;
    return Response.json({
      id: "chatcmpl-test",
      object: "chat.completion",
      created: 1_700_000_000,
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content: reply(body) }, finish_reason: "stop" }],
      ...(used ? { usage: { ...used, total_tokens: used.prompt_tokens + used.completion_tokens } } : {}),
    });
  }) as typeof fetch;
  return fake;
}
