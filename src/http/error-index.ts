import { Hono } from "hono";
import { z } from "zod";
import { LIMITS } from "../domain/core/limits";
import { recordErrorInput } from "../mcp/schema";
import { jsonBody, limitBody, member, projectName, type RestEnv } from "./input";

const reindexBody = z.object({
  only_pending: z.boolean().default(false).describe("Queue only errors without a vector from the current model."),
});

/** At most this many errors per import request: one D1 batch. */
export const MAX_IMPORT_ERRORS = 100;

const importBody = z.object({
  errors: z
    .array(
      recordErrorInput
        .omit({ project_id: true, user_id: true, screenshot: true, screenshot_text: true, analyze: true })
        .extend({ error_type: z.string().min(1).max(256), message: z.string().min(1).max(LIMITS.messageChars) })
        .strict(),
    )
    .min(1)
    .max(MAX_IMPORT_ERRORS)
    .describe("Errors in coding_record_error's shape."),
});

/**
 * Operator commands on a project's errors rather than MCP tools, so the tool list stays small: vector index
 * maintenance and bulk import.
 */
export function errorIndexRoutes(): Hono<RestEnv> {
  const api = new Hono<RestEnv>();
  api.post("/projects/:project/errors/reindex", member("write"), limitBody(), async (c) => {
    const project = c.get("project");
    const body = await jsonBody(c, reindexBody);
    const result = await c
      .get("services")
      .errors.indexer.reindexProject(project.id, { onlyPending: body.only_pending });
    return c.json(
      { model: result.model, queued: result.queued, jobs: result.jobs, only_pending: body.only_pending },
      202,
    );
  });
  // Bulk import (history from another tool, a CI run): one atomic batch, no session links or suggestions.
  api.post("/projects/:project/errors/import", projectName, limitBody(), async (c) => {
    const body = await jsonBody(c, importBody);
    const services = c.get("services");
    const project = await services.projects.resolveProject(c.get("identity"), c.get("projectName"), "write");
    await services.accounts.limitWrites(c.get("identity"));
    const { results, redactions } = await services.errors.records.importErrors(
      c.get("identity"),
      project,
      body.errors.map((error) => ({
        errorType: error.error_type,
        message: error.message,
        stackTrace: error.stack_trace ?? null,
        filePath: error.file_path ?? null,
        lineNumber: error.line_number ?? null,
        solution: error.solution ?? null,
        tags: error.tags,
      })),
    );
    return c.json(
      {
        imported: results.length,
        created: results.filter((result) => result.inserted).length,
        results: results.map(({ error, inserted }) => ({
          error_id: error.id,
          recurring: !inserted,
          occurrences: error.occurrences,
        })),
        redactions,
      },
      201,
    );
  });
  api.get("/projects/:project/errors/index-status", member(), async (c) => {
    return c.json(await c.get("services").errors.indexer.status(c.get("project").id));
  });
  return api;
}
