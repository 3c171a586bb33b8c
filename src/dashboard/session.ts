import type { OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import { csrfMatches, type WebSession, type WebSessionService } from "../auth/web-sessions";
import type { Env } from "../composition/env";
import { AppError } from "../domain/core/app-error";
import { DashboardApi } from "./api-client";
import type { AuthProps } from "../auth/oauth";

/** What the dashboard is given by the Worker (src/index.ts): its ways to the API, the OAuth token endpoint, sessions. */
export interface DashboardDeps {
  /** The API app, in-process: the request carries `props` the way the OAuth provider hands them over. */
  api: (request: Request, env: Env, ctx: ExecutionContext & { props: AuthProps }) => Promise<Response>;
  /** The OAuth provider's own routes (the token endpoint), in-process. */
  oauth: (request: Request, env: Env, ctx: ExecutionContext) => Promise<Response>;
  sessions: (env: Env) => WebSessionService;
  /** The public origin of this request (PUBLIC_URL or the request's). */
  origin: (env: Env, request: Request) => string;
}

export type DashEnv = {
  Bindings: Env & { OAUTH_PROVIDER: OAuthHelpers };
  Variables: { session: WebSession; api: DashboardApi; form: FormData; origin: string };
};

/** `__Host-` binds the cookie to this origin (no Domain, Path=/, Secure); plain http (local dev) cannot use it. */
export function cookieName(origin: string, base: string): string {
  return origin.startsWith("https://") ? `__Host-${base}` : base;
}

export function setSessionCookie(c: Context, origin: string, secret: string, maxAgeSeconds: number): void {
  setCookie(c, cookieName(origin, "cm_session"), secret, {
    path: "/",
    httpOnly: true,
    secure: origin.startsWith("https://"),
    // Lax: a link into the dashboard from chat or email opens signed in; every write also needs the CSRF token.
    sameSite: "Lax",
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(c: Context, origin: string): void {
  deleteCookie(c, cookieName(origin, "cm_session"), { path: "/", secure: origin.startsWith("https://") });
}

/**
 * Every dashboard page after sign-in: the session from its cookie (none → to the sign-in, or 401 for a form),
 * an API client acting as the session's user, and, for a form, the CSRF checks: the posted token must be the
 * session's, and a browser that says the request came from another site is refused whatever it posted.
 */
export function requireSession(deps: DashboardDeps): MiddlewareHandler<DashEnv> {
  return async (c, next) => {
    const origin = deps.origin(c.env, c.req.raw);
    c.set("origin", origin);
    const session = await deps.sessions(c.env).authenticate(getCookie(c, cookieName(origin, "cm_session")), Date.now());
    if (!session) {
      if (c.req.method === "GET" || c.req.method === "HEAD") {
        const url = new URL(c.req.url);
        return c.redirect(`/dashboard/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
      }
      throw new AppError("unauthorized", "Your dashboard session ended; sign in again.");
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const site = c.req.header("Sec-Fetch-Site");
      const from = c.req.header("Origin");
      if ((site && site !== "same-origin" && site !== "none") || (from && from !== origin)) {
        throw new AppError("forbidden", "Refused: this form was sent from another site.");
      }
      const form = await c.req.formData();
      if (!csrfMatches(session, form.get("csrf")?.toString())) {
        throw new AppError("forbidden", "Refused: the form's security token is missing or stale; reload the page.");
      }
      c.set("form", form);
    }
    const props: AuthProps = {
      kind: "web_session",
      userId: session.userId,
      sessionId: session.id,
      scopes: session.scopes,
    };
    const ctx = c.executionCtx;
    c.set(
      "api",
      new DashboardApi(
        (request) =>
          deps.api(request, c.env, {
            waitUntil: (promise) => ctx.waitUntil(promise),
            passThroughOnException: () => ctx.passThroughOnException(),
            props,
          } as ExecutionContext & { props: AuthProps }),
        origin,
      ),
    );
    c.set("session", session);
    await next();
  };
}

/** A posted field as text ("" when absent). */
export function field(c: Context<DashEnv>, name: string): string {
  return c.get("form").get(name)?.toString() ?? "";
}
