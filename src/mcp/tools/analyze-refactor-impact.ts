import { z } from "zod";
import { bulletList, plural } from "../../views/render";
import { impactRisk } from "../../domain/code/graph";
import { indexedFilePathField, scopedInput } from "../schema";
import { defineTool } from "../tool";

const RISK_BADGE = { high: "🚨 HIGH", medium: "⚠️ MEDIUM", low: "✅ LOW" } as const;

// Loose: the code graph tools may grow fields (pagination, labels) without breaking a validating client.
const impactOutput = z.looseObject({
  file_path: z.string(),
  direct_dependents: z.array(z.string()),
  affected_files: z.array(z.string()),
  affected_count: z.number(),
  max_distance: z.number(),
  tests_to_run: z.array(z.string()),
  cycle_group: z.array(z.string()),
  risk_level: z.enum(["high", "medium", "low"]),
  recommendations: z.array(z.string()),
});

export const analyzeRefactorImpactTool = defineTool({
  name: "coding_analyze_refactor_impact",
  title: "Analyze refactoring impact",
  description:
    "Which files a change to this file can break (direct and transitive dependents, tests), with a risk level.",
  inputSchema: z.object({
    ...scopedInput,
    file_path: indexedFilePathField,
  }),
  outputSchema: impactOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "GET", path: "/code/impact" },
  async run({ services, project }, input) {
    const graph = await services.code.graph(project);
    const file = graph.locate(input.file_path);
    const impact = graph.impact(file);
    const risk = impactRisk(impact.direct_dependents.length, impact.affected_count);
    const recommendations: string[] = [];
    if (impact.affected_count === 0) {
      recommendations.push(
        "✅ No indexed file imports this one: a change stays local (check entry points, scripts and dynamic imports).",
      );
    } else {
      recommendations.push(
        `${risk === "low" ? "" : "⚠️  "}${plural(impact.affected_count, "file")} ` +
          `depend${impact.affected_count === 1 ? "s" : ""} on this - test thoroughly` +
          (impact.direct_dependents.length < impact.affected_count
            ? ` (${impact.direct_dependents.length} directly, the rest through them)`
            : ""),
      );
    }
    if (risk === "high") recommendations.push("Consider adding integration tests before refactoring");
    if (impact.tests_to_run.length) {
      recommendations.push(`Run the ${plural(impact.tests_to_run.length, "test file")} that reach it (tests_to_run)`);
    } else if (impact.affected_count > 0) {
      recommendations.push("No test file reaches this file through imports: add one before changing its behaviour");
    }
    if (impact.cycle_group.length) {
      recommendations.push(
        `It is in an import cycle with ${plural(impact.cycle_group.length - 1, "other file")}: refactor them together or break the cycle first`,
      );
    }
    if (risk !== "low" && impact.direct_dependents.length) {
      recommendations.push(
        "Keep its exported names and signatures stable, or change the direct dependents in the same commit",
      );
    }
    const text = [
      `🔍 Refactoring Impact Analysis: ${file}`,
      "",
      `Risk Level: ${RISK_BADGE[risk]}`,
      "",
      `Affected Files (${impact.affected_count}):`,
      bulletList(impact.affected_files),
      "",
      "Recommendations:",
      ...recommendations,
    ].join("\n");
    return { data: { ...impact, risk_level: risk, recommendations }, text };
  },
});
