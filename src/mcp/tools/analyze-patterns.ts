import { renderPatternReport } from "../../domain/patterns";
import { z } from "zod";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";

export const analyzePatternsTool = defineTool({
  name: "coding_analyze_patterns",
  title: "Analyze coding patterns",
  description:
    "Measured patterns of this project from its recorded history: language and action mix, hot files, " +
    "recurring error types, file naming conventions, test share. Needs at least 10 file changes.",
  inputSchema: z.object({ ...scopedInput }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "GET", path: "/patterns" },
  async run({ services, project }) {
    const report = await services.memory.analyzePatterns(project);
    return { data: { ...report }, text: renderPatternReport(report) };
  },
});
