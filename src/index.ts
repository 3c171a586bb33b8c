import { createMcpHandler } from "agents/mcp/server";
import { Hono, type Context } from "hono";
import { buildServices, type Services } from "./app";
import { AppError } from "./domain/app-error";
import type { Identity } from "./domain/records";
import type { Env } from "./env";
import { errorResponse } from "./http/errors";
import { accountRoutes } from "./http/account";
import { restRoutes } from "./http/rest";
import { buildMcpServer, SERVER_INFO } from "./mcp/server";
import { handleQueueBatch } from "./queue/consumer";

export { ProjectSession } from "../durable-objects/project-session";
export { ProjectVectors } from "../durable-objects/project-vectors";

type AppEnv = { Bindings: Env; Variables: { services: Services; identity: Identity; mcpBody?: string } };

const app = new Hono<AppEnv>();

app.onError((error, c) => errorResponse(c, error));
app.notFound((c) => errorResponse(c, new AppError("not_found", `No route for ${c.req.method} ${c.req.path}.`)));

// Time spent inside the Worker (clocks advance on I/O in Workers, which is what dominates here), so a client
// can tell server time from transport time.
app.use("*", async (c, next) => {
  const started = performance.now();
  await next();
  c.res.headers.append("Server-Timing", `app;dur=${(performance.now() - started).toFixed(1)}`);
});

app.get("/health", (c) => c.json({ status: "ok", name: SERVER_INFO.name, version: SERVER_INFO.version }));

// Every MCP and REST call is authenticated; the composition root is built once per request.
app.use("/mcp", authenticate);
app.use("/api/*", authenticate);

async function authenticate(c: Context<AppEnv>, next: () => Promise<void>) {
  const services = buildServices(c.env);
  const { identity, touch } = await services.tokens.authenticate(
    c.req.header("Authorization"),
    Date.now(),
    await projectNamedBy(c),
  );
  if (touch) c.executionCtx.waitUntil(touch);
  c.set("services", services);
  c.set("identity", identity);
  await next();
}

/**
 * The project a request is about, when it can be read cheaply, so authentication can look up the caller's
 * membership in the same round trip: the REST path, or the `project_id` argument of an MCP `tools/call` (the
 * body is read once here and handed on to the MCP handler).
 */
async function projectNamedBy(c: Context<AppEnv>): Promise<string | null> {
  const restPath = /^\/api\/v1\/projects\/([^/]+)/.exec(c.req.path);
  if (restPath?.[1]) {
    try {
      return decodeURIComponent(restPath[1]);
    } catch {
      return null;
    }
  }
  if (c.req.path !== "/mcp" || c.req.method !== "POST") return null;
  const body = await c.req.text();
  c.set("mcpBody", body);
  try {
    const message = JSON.parse(body) as { method?: unknown; params?: { arguments?: { project_id?: unknown } } };
    const projectId = message.method === "tools/call" ? message.params?.arguments?.project_id : undefined;
    return typeof projectId === "string" ? projectId : null;
  } catch {
    return null;
  }
}

app.all("/mcp", async (c) => {
  const handler = createMcpHandler(() => buildMcpServer(c.get("services"), c.get("identity")), { route: "/mcp" });
  const body = c.get("mcpBody");
  const request =
    body === undefined
      ? c.req.raw
      : new Request(c.req.raw.url, { method: c.req.method, headers: c.req.raw.headers, body });
  return handler(request, c.env, c.executionCtx as ExecutionContext);
});

app.route("/api/v1", accountRoutes() as unknown as Hono<AppEnv>);
app.route("/api/v1", restRoutes() as unknown as Hono<AppEnv>);

export default {
  fetch: app.fetch,
  // Vector indexing jobs and their dead letters (see src/queue/consumer.ts).
  queue: (batch, env) => handleQueueBatch(batch, buildServices(env)),
  // Cron (wrangler.toml [triggers]): re-queue errors whose indexing job was lost.
  scheduled: async (_controller, env) => {
    const { requeued, jobs } = await buildServices(env).indexer.requeueOverdue();
    if (requeued > 0) console.warn(`re-queued ${requeued} errors without a vector in ${jobs} jobs`);
  },
} satisfies ExportedHandler<Env, unknown>;
