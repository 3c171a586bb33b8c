import { z } from "zod";
import { LIMITS } from "../../domain/core/limits";
import { runTool } from "../run-tool";
import { getProjectContextTool } from "../tools/get-project-context";
import { definePrompt, promptProject } from "./prompt";

export const startSessionPrompt = definePrompt({
  name: "start_session",
  title: "Start a coding session",
  description: "Start a coding session on a task, with the project's context (decisions, open errors, changes).",
  argsSchema: z.object({
    ...promptProject,
    task: z.string().min(1).max(LIMITS.descriptionChars).describe("What this session is about."),
  }),
  async build({ services, identity }, args) {
    const context = await runTool(getProjectContextTool, services, identity, {
      project_id: args.project_id,
      max_tokens: 2_000,
    });
    return [
      `I am starting work on: ${args.task}`,
      "",
      `First call coding_start_session (project_id "${args.project_id}", description: the task above), so that ` +
        "the changes, errors and decisions of this work are linked to it. Here is what the team's memory holds " +
        "about the project; keep its decisions unless we decide otherwise (then record the new decision):",
      "",
      context.text,
    ].join("\n");
  },
});
