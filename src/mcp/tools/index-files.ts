import { z } from "zod";
import { CODE_LIMITS } from "../../domain/code/code-index";
import { LIMITS } from "../../domain/limits";
import { plural } from "../render";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";

export const indexFilesInput = z.object({
  ...scopedInput,
  files: z
    .array(
      z
        .object({
          path: z.string().min(1).max(LIMITS.filePathChars).describe("Path relative to the repository root."),
          content: z
            .string()
            .max(CODE_LIMITS.fileChars)
            .describe(`The file's full text (at most ${CODE_LIMITS.fileChars} characters).`),
        })
        .strict(),
    )
    .max(CODE_LIMITS.filesPerBatch)
    .default([])
    .describe(
      "Source files (.js .mjs .cjs .jsx .ts .tsx .mts .cts .py) and the configs that steer resolution " +
        "(tsconfig*.json, jsconfig*.json, package.json). Only their imports and a hash are kept.",
    ),
  deleted: z
    .array(z.string().min(1).max(LIMITS.filePathChars))
    .max(CODE_LIMITS.deletionsPerBatch)
    .default([])
    .describe("Paths removed from the repository since they were indexed."),
  defer_graph: z
    .boolean()
    .default(false)
    .describe("Skip rebuilding the import graph after this batch (for all but the last batch of a large upload)."),
});

export const indexFilesTool = defineTool({
  name: "coding_index_files",
  title: "Index code files",
  description:
    "Add or update files in the project's code import graph (used by the dependency, impact and refactor-order " +
    "tools). For a few files an assistant just edited; index a whole repository with `npx coding-memory index .`. " +
    "Unchanged files (same content hash) are skipped; file contents are not stored, only their imports.",
  inputSchema: indexFilesInput,
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
