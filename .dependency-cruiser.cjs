/* global module */
/**
 * The layering rules `npm run check` enforces (`npm run deps`): edges (src/http, src/mcp, src/queue, src/index.ts)
 * → composition root (src/composition) → domain (src/domain/<feature>/) ← adapters (src/adapters, durable-objects).
 * Each rule says why it exists; a new exception belongs here, named, not in a disabled check.
 */

/** Packages the domain may use: pure TypeScript that runs in Workers, Node and the browser alike. */
const PURE_LIBRARIES = ["zod", "@babel/parser", "ignore", "jsonc-parser", "@ts-graphviz/ast", "fast-xml-parser"];

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "A cycle that remains once type-only imports are erased makes module initialisation order matter. One " +
        "that exists only through a type-only import is no cycle at runtime (the same distinction the code graph " +
        "tool draws, src/domain/code/code-graph.ts), so it is allowed.",
      from: {},
      to: { circular: true, dependencyTypesNot: ["type-only"], viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "domain-is-plain",
      severity: "error",
      comment:
        "src/domain is plain TypeScript: it knows no layer above it, no adapter, and no Workers runtime module. " +
        "It reaches the world through the ports it declares.",
      from: { path: "^src/domain/" },
      to: {
        path: [
          "^src/(adapters|composition|http|mcp|queue|auth|views|cli)/",
          "^src/index\\.ts$",
          "^durable-objects/",
          "^cloudflare:",
        ],
      },
    },
    {
      name: "domain-uses-pure-libraries",
      severity: "error",
      comment:
        "The domain imports only the pure libraries listed in PURE_LIBRARIES (.dependency-cruiser.cjs): no " +
        "Workers-only packages (agents, @cloudflare/*, drizzle, hono, MCP SDK, provider SDKs) and no node: built-ins.",
      from: { path: "^src/domain/" },
      to: {
        dependencyTypes: [
          "npm",
          "npm-dev",
          "npm-optional",
          "npm-peer",
          "npm-bundled",
          "npm-no-pkg",
          "npm-unknown",
          "core",
        ],
        pathNot: PURE_LIBRARIES.map((name) => `(^|/)node_modules/${name.replace(/[./]/g, "\\$&")}/`),
      },
    },
    {
      name: "adapters-below-root",
      severity: "error",
      comment: "Adapters and Durable Objects implement ports; they never reach up into the edges or the views.",
      from: { path: "^(src/adapters/|durable-objects/)" },
      to: { path: "^src/(http|mcp|queue|views)/" },
    },
    {
      name: "adapters-not-into-composition",
      severity: "error",
      comment: "The composition root picks adapters; an adapter that imports it closes a cycle through every service.",
      from: { path: "^src/adapters/" },
      to: { path: "^src/composition/" },
    },
    {
      name: "adapters-not-into-durable-objects",
      severity: "error",
      comment:
        "An adapter talks to its Durable Object through the RPC interface it declares (SessionSlotRpc, " +
        "VectorShardRpc), which the class implements; naming the class would tie the adapter to the object's " +
        "imports (the alarm's services) and close a cycle through the composition root.",
      from: { path: "^src/adapters/" },
      to: { path: "^durable-objects/" },
    },
    {
      name: "durable-objects-not-into-composition",
      severity: "error",
      comment:
        "A Durable Object is an RPC server for an adapter (it implements the RPC interface the adapter declares); " +
        "only the documented entry arrow below may build services.",
      from: { path: "^durable-objects/", pathNot: "^durable-objects/project-session\\.ts$" },
      to: { path: "^src/composition/" },
    },
    {
      name: "session-alarm-entry-arrow",
      severity: "error",
      comment:
        "Named exception: ProjectSession's alarm is an entry point like src/index.ts (the runtime calls it, not " +
        "the adapter), so it may build services (composition/services.ts) over its bindings (composition/env.ts); " +
        "nothing else from the composition root.",
      from: { path: "^durable-objects/project-session\\.ts$" },
      to: { path: "^src/composition/", pathNot: "^src/composition/(services|env)\\.ts$" },
    },
    {
      name: "auth-through-ports",
      severity: "error",
      comment:
        "src/auth holds the credential logic (hashing, scopes, expiry, sign-up); it stores through the ports in " +
        "src/auth/ports.ts, implemented in src/adapters/d1. No adapter and no drizzle here.",
      from: { path: "^src/auth/" },
      to: { path: ["^src/adapters/", "(^|/)node_modules/drizzle-orm/"] },
    },
    {
      name: "http-not-into-tool-files",
      severity: "error",
      comment:
        "REST routes share presenters (src/views) and services with the MCP tools, not the tool files themselves.",
      from: { path: "^src/http/" },
      to: { path: "^src/mcp/tools/" },
    },
    {
      name: "tools-not-into-sibling-tools",
      severity: "error",
      comment:
        "One tool per file, independent of the others: what two tools share lives in src/views or the domain. " +
        "The registry (src/mcp/registry.ts, outside the folder) and held-operations.ts import the tools.",
      from: { path: "^src/mcp/tools/" },
      to: { path: "^src/mcp/tools/" },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
  },
};
