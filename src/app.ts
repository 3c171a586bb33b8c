import { D1MemoryStore } from "./adapters/d1/memory-store";
import { DurableSessionStore } from "./adapters/durable-session-store";
import { sha256Hex, TokenService } from "./auth/tokens";
import { MemoryService } from "./domain/memory";
import type { Runtime } from "./domain/ports";
import type { Env } from "./env";

export interface Services {
  memory: MemoryService;
  tokens: TokenService;
  runtime: Runtime;
}

/** The composition root: the only place that reads `env` and picks adapters. Built per request; it is cheap. */
export function buildServices(env: Env): Services {
  const runtime: Runtime = {
    now: () => Date.now(),
    newId: () => crypto.randomUUID(),
    sha256Hex,
  };
  const maxHours = Number(env.MAX_SESSION_DURATION_HOURS ?? "24");
  return {
    memory: new MemoryService(new D1MemoryStore(env.DB), new DurableSessionStore(env.PROJECT_SESSION), runtime, {
      maxSessionDurationHours: Number.isFinite(maxHours) && maxHours > 0 ? maxHours : 24,
    }),
    tokens: new TokenService(env.DB),
    runtime,
  };
}
