/**
 * The one error type of the project. Domain code throws it with a string code; the edges map the code to
 * an HTTP status (REST) or an `isError` tool result (MCP), so the wording a client sees is decided once.
 */
export type AppErrorCode =
  | "invalid_input"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported"
  | "unavailable"
  | "budget_exceeded"
  | "rate_limited"
  /** The request named a host this server does not answer for (421 Misdirected Request). */
  | "misdirected"
  | "internal";

export interface AppErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: AppErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details;
  }
}

export const httpStatusOf: Record<AppErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported: 422,
  budget_exceeded: 402,
  rate_limited: 429,
  misdirected: 421,
  internal: 500,
  unavailable: 503,
};

/** Anything thrown that is not an AppError is a bug of ours: hide its text from clients, keep it as the cause. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError("internal", "Internal error; the server logged the cause.", { cause: error });
}
