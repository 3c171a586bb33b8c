import { z } from "zod";
import { LIMITS } from "../../domain/core/limits";
import { runTool } from "../run-tool";
import { getSolutionsTool } from "../tools/get-solutions-for-error";
import { definePrompt, promptProject } from "./prompt";

export const recallErrorPrompt = definePrompt({
  name: "recall_error",
  title: "Recall before fixing an error",
  description: "What the team already knows about an error (its past fixes), before you change code for it.",
  argsSchema: z.object({
    ...promptProject,
    error: z.string().min(1).max(LIMITS.queryChars).describe("The error: message and stack trace as printed."),
  }),
  async build({ services, identity }, args) {
    const known = await runTool(getSolutionsTool, services, identity, {
      project_id: args.project_id,
      error_text: args.error,
      limit: 3,
    });
    return [
      `I ran into this error in project ${args.project_id}:`,
      "",
      "```",
      args.error.trim(),
      "```",
      "",
      "Before changing any code, here is what the team's Coding Memory knows about it:",
      "",
      known.text,
      "",
      "If one of these fixes applies, try it first and say which one. If none does, search further with " +
        "coding_search_errors. Once it is fixed, record the fix with coding_resolve_error (or coding_record_error " +
        "with `solution`) so that the next person who hits it gets the answer.",
    ].join("\n");
  },
});
