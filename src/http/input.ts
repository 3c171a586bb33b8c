import { zValidator } from "@hono/zod-validator";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import type { Services } from "../composition/services";
import type { Access } from "../domain/core/access";
import { AppError } from "../domain/core/app-error";
import { LIMITS } from "../domain/core/limits";
import type { Identity, Project } from "../domain/core/records";
import { invalidInput, type ZodIssues } from "../mcp/run-tool";
import { projectIdField } from "../mcp/schema";

/** What every REST route finds on its context: the composition root and the authenticated caller (src/index.ts). */
export type RestEnv = { Variables: { services: Services; identity: Identity } };

/**
 * Refuses a body over `maxSize` bytes with our 413, before it is read: by its Content-Length, else (a chunked
 * body) while it streams in.
 */
export function limitBody(maxSize: number = LIMITS.requestBodyBytes): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError("payload_too_large", `body: over ${maxSize} bytes; send smaller batches.`, {
        details: { field: "body", limit: maxSize },
      });
    },
  });
}

/**
 * The JSON object a body holds ({} when empty), whatever its Content-Type says: clients such as `curl -d` label
 * JSON as a form. Anything else is a 400 naming the problem. The size is checked before, by limitBody.
 */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new AppError("invalid_input", "body: malformed JSON.", { details: { field: "body" }, cause });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AppError("invalid_input", "body: expected a JSON object.", { details: { field: "body" } });
  }
  return parsed as Record<string, unknown>;
}

/**
 * A JSON body checked with a zod schema. Not zod-validator's json target: it reads only bodies labelled
 * application/json and would take any other as {}.
 */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  const result = schema.safeParse(await readJsonObject(c));
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}

/** The zod-validator hook: a failed check is our invalid_input naming each field, as MCP calls and bodies get. */
function namingFields(result: { success: true } | { success: false; error: ZodIssues }): void {
  if (!result.success) throw invalidInput(result.error);
}

/** The query string checked with a zod schema; a key given twice counts by its first value, as c.req.query() reads. */
export function validQuery<T extends z.ZodType>(schema: T) {
  return zValidator("query", z.preprocess(firstValues, schema), namingFields);
}

function firstValues(query: unknown): unknown {
  return Object.fromEntries(
    Object.entries(query as Record<string, string | string[]>).map(([key, value]) => [
      key,
      Array.isArray(value) ? value[0] : value,
    ]),
  );
}

/** The URL's project name, checked before anything else in the request is read. */
export const projectName = createMiddleware<RestEnv & { Variables: { projectName: string } }>(async (c, next) => {
  c.set("projectName", urlProjectName(c));
  await next();
});

/**
 * The URL's project, for a member with `access`, resolved before anything else in the request is read. These
 * routes act on what a project holds, so they never create one.
 */
export function member(access: Access = "read") {
  return createMiddleware<RestEnv & { Variables: { project: Project } }>(async (c, next) => {
    c.set(
      "project",
      await c.get("services").projects.resolveProject(c.get("identity"), urlProjectName(c), access, { create: false }),
    );
    await next();
  });
}

/** The URL's `:project`, checked like any project field (400 naming it). */
export function urlProjectName(c: Context): string {
  const slug = projectIdField.safeParse(c.req.param("project"));
  if (!slug.success) throw invalidInput(slug.error);
  return slug.data;
}
