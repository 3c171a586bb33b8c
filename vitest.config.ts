import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        // OPENAI_API_KEY stands in for the secret; no model is configured server-wide, so it is only used by tests
        // that give a project a model and intercept the provider's API.
        // GITHUB_* turn on upstream sign-in; tests answer GitHub's endpoints by intercepting fetch. ALLOW_SIGNUP is
        // what `npm run dev` puts in .dev.vars (wrangler.toml ships it off).
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            OPENAI_API_KEY: "sk-test",
            GITHUB_CLIENT_ID: "Iv1.test",
            GITHUB_CLIENT_SECRET: "github-secret-test",
            GITHUB_API_TOKEN: "ghs_test",
            ALLOW_SIGNUP: "true",
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      setupFiles: ["./test/setup/apply-migrations.ts"],
      // Node-side: renders the screenshots and diagram the tests upload (sharp does not run inside workerd).
      globalSetup: ["./test/setup/render-images.mjs"],
    },
  };
});
