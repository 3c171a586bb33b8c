import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { httpStatusOf, toAppError } from "../domain/core/app-error";

/** REST error body: `{error:{code,message,details}}` with the status the code maps to. */
export function errorResponse(c: Context, thrown: unknown): Response {
  const { body, status, headers } = errorParts(thrown);
  return c.json(body, status, headers);
}

/** The same body outside Hono: for what fails before routing (an unknown Host, the OAuth provider itself). */
export function plainErrorResponse(thrown: unknown): Response {
  const { body, status, headers } = errorParts(thrown);
  return Response.json(body, { status, headers });
}

function errorParts(thrown: unknown) {
  const error = toAppError(thrown);
  if (error.code === "internal") console.error("request failed", error.cause ?? error);
  const headers: Record<string, string> = {};
  if (error.code === "unauthorized") headers["WWW-Authenticate"] = 'Bearer realm="coding-memory"';
  return {
    body: { error: { code: error.code, message: error.message, details: error.details ?? {} } },
    status: httpStatusOf[error.code] as ContentfulStatusCode,
    headers,
  };
}
