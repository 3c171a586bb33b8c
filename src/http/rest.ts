import { Hono } from "hono";
import { attachmentRoutes } from "./attachments";
import { captureRoutes } from "./capture";
import { codeGraphRoutes } from "./code-graph";
import { curationRoutes } from "./curation";
import { errorIndexRoutes } from "./error-index";
import type { RestEnv } from "./input";
import { listingRoutes } from "./listings";
import { toolRoutes } from "./rest-tools";

export type { RestEnv };

/**
 * The project API under /api/v1: a route per tool, then what only REST offers (listings, index maintenance and
 * import, the code graph, attachments). Every route names its project in the URL and resolves it for the caller
 * before acting; account-level routes are in account.ts.
 */
export function restRoutes(): Hono<RestEnv> {
  return new Hono<RestEnv>()
    .route("/", toolRoutes())
    .route("/", listingRoutes())
    .route("/", errorIndexRoutes())
    .route("/", captureRoutes())
    .route("/", codeGraphRoutes())
    .route("/", attachmentRoutes())
    .route("/", curationRoutes());
}
