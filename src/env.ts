import type { ProjectSession } from "../durable-objects/project-session";

/** Bindings and vars from wrangler.toml. Only the composition root (src/app.ts) and the edges read them. */
export interface Env {
  DB: D1Database;
  PROJECT_SESSION: DurableObjectNamespace<ProjectSession>;
  MAX_SESSION_DURATION_HOURS?: string;
}
