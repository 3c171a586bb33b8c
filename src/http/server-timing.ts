import type { MiddlewareHandler } from "hono";

/**
 * Adds the time spent inside the Worker as `Server-Timing: <metric>;dur=…` (clocks advance on I/O in Workers,
 * which is what dominates here), so a client or bench can tell server time from transport time.
 */
export function serverTiming(metric: string): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    c.res.headers.append("Server-Timing", `${metric};dur=${(performance.now() - started).toFixed(1)}`);
  };
}
