import { Hono } from "hono";
import { serverTiming } from "../http/server-timing";
import { SCRIPT, STYLES, assetPaths } from "./assets";
import { costPages } from "./pages/costs";
import { decisionPages } from "./pages/decisions";
import { errorPages } from "./pages/errors";
import { graphPages } from "./pages/graph";
import { overviewPages } from "./pages/overview";
import { projectPages } from "./pages/projects";
import { sessionPages } from "./pages/sessions";
import { settingsPages } from "./pages/settings";
import { teamPages } from "./pages/teams";
import { tokenPages } from "./pages/tokens";
import { failurePage } from "./respond";
import { requireSession, type DashboardDeps, type DashEnv } from "./session";
import { signInRoutes, signOut } from "./sign-in";

/**
 * The dashboard under /dashboard: server-rendered pages over the REST API (called in-process as the signed-in
 * user, src/dashboard/api-client.ts), a cookie session from the OAuth sign-in, CSRF checks on every form, and a
 * CSP that admits no inline code. Mounted on the site handler, outside the bearer-token API.
 */
export function dashboardRoutes(deps: DashboardDeps): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.onError((error, c) => failurePage(c, error));
  // The page's time includes its in-process API calls (the bench and the browser test read it).
  app.use("*", serverTiming("page"));

  app.get("/dashboard/assets/:file", async (c) => {
    const paths = await assetPaths();
    const path = c.req.path;
    const body = path === paths.css ? STYLES : path === paths.js ? SCRIPT : null;
    if (body === null) return c.text("Not found", 404);
    return c.body(body, 200, {
      "Content-Type": path.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
    });
  });
  app.route("/", signInRoutes(deps));

  const pages = new Hono<DashEnv>();
  pages.use("*", requireSession(deps));
  pages.post("/dashboard/logout", (c) => signOut(c, deps));
  projectPages(pages);
  overviewPages(pages);
  errorPages(pages);
  decisionPages(pages);
  sessionPages(pages);
  graphPages(pages);
  costPages(pages);
  settingsPages(pages);
  teamPages(pages);
  tokenPages(pages);
  pages.onError((error, c) => failurePage(c, error));
  app.route("/", pages);
  return app;
}
