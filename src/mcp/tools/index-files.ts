import { z } from "zod";
import { CODE_LIMITS } from "../../domain/code/code-index";
import { LIMITS } from "../../domain/core/limits";
import { plural } from "../../views/render";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";

const indexFilesInput = z.object({
  ...scopedInput,
  files: z
    .array(
      z
        .object({
          path: z.string().min(1).max(LIMITS.filePathChars).describe("From the repository root."),
          content: z.string().max(CODE_LIMITS.fileChars).describe("Full text."),
        })
        .strict(),
    )
    .max(CODE_LIMITS.filesPerBatch)
    .default([])
    .describe("JS/TS/Python sources, tsconfig/jsconfig/package.json."),
  deleted: z
    .array(z.string().min(1).max(LIMITS.filePathChars))
    .max(CODE_LIMITS.deletionsPerBatch)
    .default([])
    .describe("Paths removed since indexed."),
  defer_graph: z.boolean().default(false).describe("Skip rebuilding the graph (not on the last batch)."),
});

const pathReason = z.array(z.object({ path: z.string(), reason: z.string() }));
// Loose: the code graph tools may grow fields without breaking a validating client.
const indexFilesOutput = z.looseObject({
  received: z.number(),
  indexed: z.array(z.string()),
  unchanged: z.number(),
  deleted: z.array(z.string()),
  skipped: pathReason,
  parse_errors: pathReason,
  generation: z.number(),
  files_total: z.number(),
  graph: z
    .looseObject({
      files: z.number(),
      config_files: z.number(),
      internal_edges: z.number(),
      external_packages: z.number(),
      unresolved_imports: z.number(),
      asset_imports: z.number(),
      cycles: z.number(),
      type_only_cycles: z.number(),
      parse_errors: z.number(),
    })
    .nullable(),
});

export const indexFilesTool = defineTool({
  name: "coding_index_files",
  title: "Index code files",
  description:
    "Add edited files to the code import graph (only imports are kept). For a whole repository run " +
    "`npx coding-memory index .`.",
  inputSchema: indexFilesInput,
  outputSchema: indexFilesOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "write",
  rest: { method: "POST", path: "/files", status: 200, maxBodyBytes: CODE_LIMITS.batchBytes },
  async run({ services, identity, project }, input) {
    const report = await services.code.index(identity, project, {
      files: input.files,
      deleted: input.deleted,
      deferGraph: input.defer_graph,
    });
    const graph = report.graph;
    const lines = [
      `Indexed ${plural(report.indexed.length, "file")} (${report.unchanged} unchanged, ` +
        `${report.deleted.length} deleted); ${plural(report.filesTotal, "file")} in the index` +
        (graph
          ? `: ${plural(graph.files, "source file")} in the graph, ${plural(graph.configFiles, "config file")} ` +
            `(tsconfig/package.json: they steer resolution, they are not graph nodes).`
          : "."),
    ];
    if (graph) {
      lines.push(
        `Graph: ${plural(graph.internalEdges, "internal import")}, ${plural(graph.externalPackages, "external package")}, ` +
          `${plural(graph.cycles, "import cycle")}` +
          (graph.typeOnlyCycles ? ` (${graph.typeOnlyCycles} only through type-only imports)` : "") +
          `, ${plural(graph.unresolved, "unresolved relative import")}` +
          (graph.assetImports ? `, ${plural(graph.assetImports, "asset import")} (.md, .wasm, .css…: not code)` : "") +
          ".",
      );
    } else lines.push("Graph rebuild deferred: it is built by the next batch or query.");
    for (const error of report.parseErrors.slice(0, 10))
      lines.push(`⚠️ Could not parse ${error.path}: ${error.reason}`);
    for (const skip of report.skipped.slice(0, 10)) lines.push(`Skipped ${skip.path}: ${skip.reason}`);
    return {
      data: {
        received: report.received,
        indexed: report.indexed,
        unchanged: report.unchanged,
        deleted: report.deleted,
        skipped: report.skipped,
        parse_errors: report.parseErrors,
        generation: report.generation,
        files_total: report.filesTotal,
        graph: graph && {
          files: graph.files,
          config_files: graph.configFiles,
          internal_edges: graph.internalEdges,
          external_packages: graph.externalPackages,
          unresolved_imports: graph.unresolved,
          asset_imports: graph.assetImports,
          cycles: graph.cycles,
          type_only_cycles: graph.typeOnlyCycles,
          parse_errors: graph.parseErrors,
        },
      },
      text: lines.join("\n"),
    };
  },
});
