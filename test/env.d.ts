import type { D1Migration } from "cloudflare:test";
import type { Env as AppEnv } from "../src/composition/env";

declare global {
  namespace Cloudflare {
    interface Env extends AppEnv {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}

// Images rendered by test/setup/render-images.mjs (base64 PNG).
declare module "vitest" {
  export interface ProvidedContext {
    pythonTracebackPng: string;
    nodeTypeErrorPng: string;
    architectureDiagramPng: string;
  }
}
