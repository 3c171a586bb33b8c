import { Hono } from "hono";
import { z } from "zod";
import { jsonBody, limitBody, projectName, type RestEnv } from "./input";
import { recordOnce } from "./webhooks";

/** What a client hook sends when a command fails in the author's editor session (`coding-memory hook`). */
const captureBody = z.object({
  event_id: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{8,128}$/, "event_id: 8-128 letters, digits, '.', '_', ':' or '-'")
    .describe("The client's id for this event: the same id sent again (a spool replay) records nothing."),
  client: z.enum(["claude-code", "cursor", "cli"]).describe("Which client's hook captured it."),
  command: z.string().min(1).max(2_000).describe("The command that failed."),
  exit_code: z.number().int().nullish(),
  output: z.string().max(900_000).describe("Its output (stdout and stderr); the tail is what matters."),
});

/**
 * Failures captured by client hooks rather than reported by the assistant: the output is read by the same
 * recognisers as CI logs (pytest, jest/vitest, tsc, cargo, go, node…), each failure recorded as the author's
 * error in their active session, and answered with the fixes known for it. The event id is kept in the same
 * transaction as the errors, so a client that sends an event again after losing the answer records nothing.
 */
export function captureRoutes(): Hono<RestEnv> {
  const api = new Hono<RestEnv>();
  api.post("/projects/:project/errors/capture", projectName, limitBody(), async (c) => {
    const body = await jsonBody(c, captureBody);
    const services = c.get("services");
    const identity = c.get("identity");
    const project = await services.projects.resolveProject(identity, c.get("projectName"), "write");
    await services.accounts.limitWrites(identity);
    return recordOnce(
      c,
      services,
      { identity, project },
      {
        deliveryId: `${body.client}:${body.event_id}`,
        bodySha256: null,
        source: "hook",
        event: body.client,
        commit: null,
        jobs: [{ job: body.command.split("\n")[0]?.slice(0, 200) ?? body.command, log: body.output }],
        url: null,
      },
    );
  });
  return api;
}
