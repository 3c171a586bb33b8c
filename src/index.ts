import { createMcpHandler } from "agents/mcp/server";
import { Hono, type Context } from "hono";
import { D1AccountService, D1TokenService, D1WebSessionService } from "./composition/auth";
import { buildServices, type Services } from "./composition/services";
import { oauthDepsFromEnv } from "./composition/oauth";
import { authorizeRoutes } from "./auth/authorize-routes";
import { identityFromContext, oauthProvider, publicOrigin, withApiErrorBody } from "./auth/oauth";
import { withCanonicalResource } from "./auth/resource-indicator";
import { dashboardRoutes } from "./dashboard/routes";
import { AppError } from "./domain/core/app-error";
import { IDEMPOTENCY_WINDOW_MS } from "./domain/core/idempotency";
import type { Identity } from "./domain/core/records";
import type { Env } from "./composition/env";
import { errorResponse, plainErrorResponse } from "./http/errors";
import { hostPolicy, mcpHostOptions } from "./http/hosts";
import { serverTiming } from "./http/server-timing";
import { accountRoutes } from "./http/account";
import { restRoutes } from "./http/rest";
import { webhookRoutes } from "./http/webhooks";
import { buildMcpServer, SERVER_INFO } from "./mcp/server";
import { handleQueueBatch } from "./queue/consumer";

export { ProjectSession } from "../durable-objects/project-session";
export { ProjectVectors } from "../durable-objects/project-vectors";

type AppEnv = { Bindings: Env; Variables: { services: Services; identity: Identity } };

const app = new Hono<AppEnv>();

app.onError((error, c) => errorResponse(c, error));
app.notFound((c) => errorResponse(c, new AppError("not_found", `No route for ${c.req.method} ${c.req.path}.`)));

app.use("*", serverTiming("app"));

// Every MCP and REST call arrives here only with a credential the OAuth provider verified (an OAuth access
// token, or an API token through resolveExternalToken); the composition root is built once per request.
app.use("/mcp", authenticate);
app.use("/api/*", authenticate);

async function authenticate(c: Context<AppEnv>, next: () => Promise<void>) {
  c.set("services", buildServices(c.env));
  c.set("identity", identityFromContext(c.executionCtx));
  await next();
}

app.all("/mcp", async (c) => {
  const handler = createMcpHandler(() => buildMcpServer(c.get("services"), c.get("identity")), {
    route: "/mcp",
    ...mcpHostOptions(c.req.raw),
  });
  return handler(c.req.raw, c.env, c.executionCtx as ExecutionContext);
});

// `/api/v1/teams/:team/projects/:project/…` is another spelling of `/api/v1/projects/:team%2F:project/…` (a
// project named within one team); it is served by the same routes, so both pass the same checks.
app.all("/api/v1/teams/:team/projects/:project/*", (c) => {
  const url = new URL(c.req.url);
  // ["", "api", "v1", "teams", team, "projects", project, ...the project route]
  const tail = url.pathname.split("/").slice(7).join("/");
  const ref = encodeURIComponent(`${c.req.param("team")}/${c.req.param("project")}`);
  url.pathname = `/api/v1/projects/${ref}${tail ? `/${tail}` : ""}`;
  return app.fetch(new Request(url, c.req.raw), c.env, c.executionCtx);
});
app.route("/api/v1", accountRoutes() as unknown as Hono<AppEnv>);
app.route("/api/v1", restRoutes() as unknown as Hono<AppEnv>);

/** Pages and routes outside the protected API: health, sign-in and consent, the upstream callback. */
const site = authorizeRoutes(oauthDepsFromEnv, (env) => new D1AccountService(env.DB)) as unknown as Hono<{
  Bindings: Env;
}>;
site.get("/health", (c) => c.json({ status: "ok", name: SERVER_INFO.name, version: SERVER_INFO.version }));
site.route("/", webhookRoutes());
// The dashboard: pages over the API above, called in-process as the signed-in user (src/dashboard/).
site.route(
  "/",
  dashboardRoutes({
    api: (request, env, ctx) => Promise.resolve(app.fetch(request, env, ctx)),
    oauth: (request, env, ctx) =>
      oauthProvider(env, request, { api: app, site }, new D1TokenService(env.DB)).fetch(request, env, ctx),
    sessions: (env) => new D1WebSessionService(env.DB),
    origin: publicOrigin,
  }) as unknown as Hono<{ Bindings: Env }>,
);
site.onError((error, c) => errorResponse(c, error));
site.notFound((c) => errorResponse(c, new AppError("not_found", `No route for ${c.req.method} ${c.req.path}.`)));

/**
 * Every request: refused unless its Host is one this server answers for (src/http/hosts.ts), resource
 * indicators naming the MCP URL mapped to the origin, then the OAuth provider routes it. Whatever escapes (the
 * provider's own failures; Hono's onError covers the routes) becomes the plain error body, never a stack trace.
 */
async function serve(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  try {
    const admitted = hostPolicy(env).admit(request);
    if (admitted instanceof AppError) return plainErrorResponse(admitted);
    const canonical = await withCanonicalResource(admitted, publicOrigin(env, admitted));
    return withApiErrorBody(
      canonical,
      await oauthProvider(env, canonical, { api: app, site }, new D1TokenService(env.DB)).fetch(canonical, env, ctx),
    );
  } catch (error) {
    return plainErrorResponse(error);
  }
}

export default {
  fetch: serve,
  // Vector indexing jobs and their dead letters (see src/queue/consumer.ts).
  queue: (batch, env) => handleQueueBatch(batch, buildServices(env)),
  // Cron (wrangler.toml [triggers]): re-queue errors whose indexing job was lost.
  scheduled: async (_controller, env) => {
    const services = buildServices(env);
    // Answers to keyed writes are kept for their window (src/http/idempotency.ts).
    await services.idempotency.sweep(Date.now() - IDEMPOTENCY_WINDOW_MS);
    // Dashboard sessions past their end (a signed-out one is deleted at once).
    await new D1WebSessionService(env.DB).sweep(Date.now());
    const { requeued, jobs } = await services.errors.indexer.requeueOverdue();
    if (requeued > 0) console.warn(`re-queued ${requeued} errors without a vector in ${jobs} jobs`);
  },
} satisfies ExportedHandler<Env, unknown>;
