import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../domain/core/app-error";
import { utcDate } from "../domain/core/encoding";
import { LIMITS } from "../domain/core/limits";
import { heldApprovalView } from "../views/llm";
import { decisionView, errorView } from "../views/records";
import { jsonBody, limitBody, member, type RestEnv } from "./input";

const curateBody = z
  .object({
    solution: z
      .string()
      .max(LIMITS.solutionChars)
      .nullable()
      .optional()
      .describe("The fix that worked; null or empty clears it."),
    resolved: z.boolean().optional().describe("Resolved (needs a solution) or open again."),
  })
  .refine((body) => body.solution !== undefined || body.resolved !== undefined, {
    message: "give solution, resolved, or both",
    path: ["solution"],
  });

/**
 * What a person reads and corrects about a project's memory (the dashboard is its first client): one error in
 * full, its outcome corrected, the project at a glance, and the LLM calls waiting for the caller's decision.
 * Mounted after the other routes, so `/errors/index-status` and the like keep their own handlers.
 */
export function curationRoutes(): Hono<RestEnv> {
  const api = new Hono<RestEnv>();
  api.get("/projects/:project/overview", member(), async (c) => {
    const services = c.get("services");
    const overview = await services.context.overview(c.get("project"), services.runtime.now());
    return c.json({
      project: c.get("project").slug,
      errors: overview.errors,
      sessions: overview.sessions,
      decisions: overview.decisions,
      ci_failures: overview.ciFailures.map(errorView),
    });
  });
  api.get("/projects/:project/approvals", member(), async (c) => {
    const pending = await c.get("services").llm.approvals.pending(c.get("identity").userId, c.get("project").id);
    return c.json({ approvals: pending.map(heldApprovalView) });
  });
  api.get("/projects/:project/errors/:error_id", member(), async (c) => {
    const project = c.get("project");
    const errorId = c.req.param("error_id");
    const error = await c.get("services").errors.records.getError(project, errorId);
    if (!error) {
      throw new AppError("not_found", `error_id: error ${errorId} not found in project ${project.slug}.`, {
        details: { field: "error_id" },
      });
    }
    // Its sightings per UTC day over the last 90 days (the dashboard's recurrence timeline).
    const days = await c.get("services").errors.records.recentSightings(project, errorId, 90);
    return c.json({
      ...errorView(error),
      occurrences_by_day: days.map(({ day, count }) => ({
        date: utcDate(day),
        count,
      })),
    });
  });
  api.get("/projects/:project/decisions/:decision_id", member(), async (c) => {
    const decision = await c.get("services").decisions.getDecision(c.get("project"), c.req.param("decision_id"));
    return c.json(decisionView(decision));
  });
  api.patch("/projects/:project/errors/:error_id", member("write"), limitBody(), async (c) => {
    const body = await jsonBody(c, curateBody);
    const services = c.get("services");
    await services.accounts.limitWrites(c.get("identity"));
    const { error, redactions } = await services.errors.records.curateError(
      c.get("project"),
      c.req.param("error_id"),
      body,
    );
    return c.json({ ...errorView(error), redactions });
  });
  return api;
}
