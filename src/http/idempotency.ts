import type { Context } from "hono";
import { AppError } from "../domain/core/app-error";
import type { StoredAnswer } from "../domain/core/idempotency";

const KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The `Idempotency-Key` of a write (IETF draft-ietf-httpapi-idempotency-key-header): absent, or checked. Keys are
 * the caller's own: another user's identical key is another request.
 */
export function idempotencyKey(c: Context): string | null {
  const key = c.req.header("Idempotency-Key");
  if (key === undefined) return null;
  if (!KEY.test(key)) {
    throw new AppError("invalid_input", "Idempotency-Key: 8-128 letters, digits, '.', '_', ':' or '-'.", {
      details: { field: "Idempotency-Key" },
    });
  }
  return key;
}

/** A stored answer for this key, or a refusal when the key was used for another route. */
export function replay(answer: StoredAnswer, route: string): Response {
  if (answer.route !== route) {
    throw new AppError(
      "conflict",
      `Idempotency-Key: already used for ${answer.route}; use a new key for this request.`,
      {
        details: { field: "Idempotency-Key" },
      },
    );
  }
  return new Response(answer.body, {
    status: answer.status,
    headers: { "Content-Type": "application/json", "Idempotent-Replayed": "true" },
  });
}
