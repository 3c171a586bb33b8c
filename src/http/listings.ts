import { Hono, type Context } from "hono";
import { z } from "zod";
import { LIMITS } from "../domain/core/limits";
import type { Page, Project } from "../domain/core/records";
import { diagramView } from "../views/diagrams";
import { decisionView, errorView, fileChangeView, pageView, sessionView } from "../views/records";
import { member, projectName, validQuery, type RestEnv } from "./input";

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50),
  cursor: z.string().max(512).optional(),
  resolved: z.enum(["true", "false"]).optional(),
  session_id: z.string().min(1).max(64).optional().describe("Only what was made in this coding session."),
});

const diagramListQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });

/** Listings answer the same views as the tools (snake_case, ISO times, no internals), a page at a time. */
export function listingRoutes(): Hono<RestEnv> {
  const api = new Hono<RestEnv>();
  const listing = <T, V>(
    path: string,
    list: (c: Pick<Context<RestEnv>, "get">, project: Project, page: z.output<typeof pageQuery>) => Promise<Page<T>>,
    view: (item: T) => V,
  ) =>
    api.get(`/projects/:project/${path}`, projectName, validQuery(pageQuery), async (c) => {
      const project = await c.get("services").projects.resolveProject(c.get("identity"), c.get("projectName"), "read");
      const result = await list(c, project, c.req.valid("query"));
      return c.json(pageView(result, view));
    });

  listing(
    "sessions",
    (c, project, page) =>
      c.get("services").sessions.listSessions(project, { limit: page.limit, cursor: page.cursor ?? null }),
    sessionView,
  );
  listing(
    "errors",
    (c, project, page) =>
      c.get("services").errors.records.listErrors(project, {
        limit: page.limit,
        cursor: page.cursor ?? null,
        ...(page.resolved ? { resolved: page.resolved === "true" } : {}),
      }),
    errorView,
  );
  listing(
    "decisions",
    (c, project, page) =>
      c.get("services").decisions.listDecisions(project, {
        limit: page.limit,
        cursor: page.cursor ?? null,
        sessionId: page.session_id ?? null,
      }),
    decisionView,
  );
  listing(
    "changes",
    (c, project, page) =>
      c.get("services").decisions.listChanges(project, {
        limit: page.limit,
        cursor: page.cursor ?? null,
        sessionId: page.session_id ?? null,
      }),
    fileChangeView,
  );

  // Architecture diagrams read for the project (coding_analyze_diagram), newest first.
  api.get("/projects/:project/diagrams", member(), validQuery(diagramListQuery), async (c) => {
    const { limit } = c.req.valid("query");
    // One more than asked says whether the list was cut.
    const diagrams = await c.get("services").diagrams.list(c.get("project"), limit + 1);
    return c.json({ diagrams: diagrams.slice(0, limit).map(diagramView), truncated: diagrams.length > limit });
  });
  api.get("/projects/:project/diagrams/:diagram_id", member(), async (c) => {
    const diagram = await c.get("services").diagrams.get(c.get("project"), c.req.param("diagram_id"));
    return c.json({ ...diagramView(diagram), source_text: diagram.sourceText });
  });
  return api;
}
