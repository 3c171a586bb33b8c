import { readFileSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig, type Plugin } from "vitest/config";

/**
 * What wrangler's module rules do, for the plain-Node project: prompts (*.md, wrangler.toml [[rules]] "Text")
 * load as strings, *.wasm as a compiled WebAssembly.Module. Domain code imports both, and without this it would
 * only load inside workerd.
 */
function workerModules(): Plugin {
  return {
    name: "coding-memory:worker-modules",
    enforce: "pre",
    load(id) {
      const file = id.split("?")[0] ?? id;
      if (file.endsWith(".md")) return `export default ${JSON.stringify(readFileSync(file, "utf8"))};`;
      if (file.endsWith(".wasm")) {
        const bytes = JSON.stringify([...readFileSync(file)]);
        return `export default new WebAssembly.Module(new Uint8Array(${bytes}));`;
      }
      return null;
    },
  };
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      // `npm test` runs both projects; `npm run test:fast` (`--project unit`) runs the Node one alone, in seconds.
      projects: [
        {
          plugins: [workerModules()],
          test: {
            name: "unit",
            environment: "node",
            // Pure domain, and adapters against fakes of their providers: nothing here needs a binding, so no
            // workerd start-up. A contract runner that needs bindings is named *.workers.test.ts.
            include: ["test/unit/**/*.test.ts", "test/contract/**/*.test.ts"],
            exclude: [...configDefaults.exclude, "**/*.workers.test.ts"],
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              // OPENAI_API_KEY stands in for the secret; no model is configured server-wide, so it is only used by
              // tests that give a project a model and intercept the provider's API.
              // GITHUB_* turn on upstream sign-in; tests answer GitHub's endpoints by intercepting fetch.
              // ALLOW_SIGNUP is what `npm run dev` puts in .dev.vars (wrangler.toml ships it off).
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
            name: "workers",
            // Everything that needs bindings (D1, Durable Objects, KV, R2, queues) or the Worker's fetch handler.
            include: ["test/integration/**/*.test.ts", "test/**/*.workers.test.ts"],
            // No test may depend on machine speed: a test making several calls passes its own limit (15 s + 1 s per
            // call, the count in a comment); this floor covers the rest on a loaded machine. Speed targets live in
            // bench/.
            testTimeout: 15_000,
            setupFiles: ["./test/setup/apply-migrations.ts"],
            // Node-side: renders the screenshots and diagram the tests upload (sharp does not run inside workerd).
            globalSetup: ["./test/setup/render-images.mjs"],
          },
        },
      ],
    },
  };
});
