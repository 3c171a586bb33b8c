import { z } from "zod";
import { bulletList, plural } from "../../views/render";
import { indexedFilePathField, scopedInput } from "../schema";
import { defineTool } from "../tool";

// Loose: the code graph tools may grow fields (pagination, labels) without breaking a validating client.
const dependenciesOutput = z.looseObject({
  file_path: z.string(),
  imports: z.array(z.string()),
  imported_by: z.array(z.string()),
  external_imports: z.array(z.string()),
  unresolved_imports: z.array(z.string()),
  asset_imports: z.array(z.string()),
  import_depth: z.number(),
  circular_deps: z.array(z.array(z.string())),
  cycle_type_only: z.boolean(),
  cycle_group: z.array(z.string()),
  parse_error: z.string().nullable(),
  index_generation: z.number(),
});

export const analyzeFileDependenciesTool = defineTool({
  name: "coding_analyze_file_dependencies",
  title: "Analyze file dependencies",
  description: "What a file imports, what imports it, its external packages and import cycles (JS/TS, Python).",
  inputSchema: z.object({
    ...scopedInput,
    file_path: indexedFilePathField,
  }),
  outputSchema: dependenciesOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "GET", path: "/code/dependencies" },
  async run({ services, project }, input) {
    const graph = await services.code.graph(project);
    const file = graph.locate(input.file_path);
    const analysis = graph.dependencies(file);
    const cycle = analysis.circular_deps[0];
    const text = [
      `📊 Dependency Analysis: ${file}`,
      "",
      `Imports (${plural(analysis.imports.length, "file")}):`,
      bulletList(analysis.imports),
      "",
      `Imported By (${plural(analysis.imported_by.length, "file")}):`,
      bulletList(analysis.imported_by),
      ...(analysis.external_imports.length
        ? ["", `External (${analysis.external_imports.length}): ${analysis.external_imports.join(", ")}`]
        : []),
      ...(analysis.unresolved_imports.length
        ? ["", `Unresolved (not in the index): ${analysis.unresolved_imports.join(", ")}`]
        : []),
      ...(analysis.asset_imports.length ? ["", `Assets (not code): ${analysis.asset_imports.join(", ")}`] : []),
      "",
      `Import Depth: ${analysis.import_depth}`,
      cycle
        ? `⚠️ Circular Dependency${analysis.cycle_type_only ? " (type-only imports: no cycle at runtime)" : ""}: ` +
          cycle.join(" → ") +
          (analysis.cycle_group.length > cycle.length - 1
            ? ` (cycle group of ${analysis.cycle_group.length} files)`
            : "")
        : "✅ No Circular Dependencies",
      ...(analysis.parse_error ? [`⚠️ The file could not be parsed: ${analysis.parse_error}`] : []),
    ].join("\n");
    return { data: { ...analysis, index_generation: graph.snapshot.generation }, text };
  },
});
