import { z } from "zod";
import { LIMITS } from "../../domain/core/limits";
import { scopedInput, stringList } from "../schema";
import { defineTool } from "../tool";

// Loose: the code graph tools may grow fields (pagination, labels) without breaking a validating client.
const refactorOrderOutput = z.looseObject({
  order: z.array(z.string()),
  steps: z.array(
    z.looseObject({
      step: z.number(),
      files: z.array(z.string()),
      cycle: z.boolean(),
      type_only: z.boolean(),
      after: z.array(z.string()),
    }),
  ),
  cycles: z.array(z.array(z.string())),
});

export const suggestRefactorOrderTool = defineTool({
  name: "coding_suggest_refactor_order",
  title: "Suggest refactoring order",
  description: "A safe order to refactor files in: each after the files it depends on; an import cycle is one step.",
  inputSchema: z.object({
    ...scopedInput,
    files: stringList("Paths from the repository root.", LIMITS.filePathChars).refine(
      (files) => files.length > 0,
      "give at least one file",
    ),
  }),
  outputSchema: refactorOrderOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "POST", path: "/code/refactor-order", status: 200 },
  async run({ services, project }, input) {
    const graph = await services.code.graph(project);
    const located: string[] = [];
    const missing: string[] = [];
    for (const file of input.files) {
      try {
        located.push(graph.locate(file, "files"));
      } catch (error) {
        if ((error as { code?: string }).code !== "not_found") throw error;
        missing.push(file);
      }
    }
    if (missing.length) throw graph.notIndexed(missing, "files");
    const chosen = new Set(located);
    const steps = graph.graph.refactorOrder([...chosen]).map((step, index) => ({
      step: index + 1,
      files: step.files,
      cycle: step.cycle,
      // The files import each other only through type-only imports: no cycle when the code runs.
      type_only: step.cycle && !step.files.some((file) => graph.onRuntimeCycle(file)),
      after: [...new Set(step.files.flatMap((file) => graph.dependsOnAmong(file, chosen)))]
        .filter((file) => !step.files.includes(file))
        .sort(),
    }));
    const order = steps.flatMap((step) => step.files);
    const lines = ["📋 Suggested Refactoring Order:", ""];
    for (const step of steps) {
      lines.push(
        step.cycle
          ? `${step.step}. 🔁 together (import cycle${step.type_only ? ", type-only imports" : ""}): ${step.files.join(", ")}`
          : `${step.step}. ${step.files[0]}${step.after.length ? `  (after ${step.after.join(", ")})` : ""}`,
      );
    }
    lines.push("", "💡 Refactor in this order to minimize breaking changes.");
    lines.push("Leaf dependencies (files with no internal imports) come first.");
    if (steps.some((step) => step.cycle)) {
      lines.push("Files in an import cycle depend on each other: change them in one commit, or break the cycle first.");
    }
    return {
      data: { order, steps, cycles: steps.filter((step) => step.cycle).map((step) => step.files) },
      text: lines.join("\n"),
    };
  },
});
