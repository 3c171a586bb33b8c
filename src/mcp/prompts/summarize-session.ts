import { z } from "zod";
import { AppError } from "../../domain/core/app-error";
import { definePrompt, promptProject } from "./prompt";

export const summarizeSessionPrompt = definePrompt({
  name: "summarize_session",
  title: "Write the session's summary",
  description: "Write the summary of the active coding session and end it with coding_end_session.",
  argsSchema: z.object(promptProject),
  async build({ services, identity }, args) {
    const project = await services.projects.resolveProject(identity, args.project_id, "read", { create: false });
    const active = await services.sessions.activeSession(identity, project);
    if (!active) {
      throw new AppError("not_found", `project_id: you have no active coding session in ${project.slug}.`, {
        details: { field: "project_id" },
      });
    }
    const minutes = Math.max(0, Math.round((Date.now() - active.startedAt) / 60_000));
    return [
      `Write the summary of my coding session "${active.description}" in project ${project.slug} ` +
        `(session ${active.id}, ${minutes} min so far), then end it.`,
      "",
      "The summary, in a few short paragraphs: the goal; what was done (the files changed and why); the errors " +
        "met and how each was fixed (or that it is still open); the decisions taken and their reasons; what is " +
        "left to do. Facts from this conversation only: do not invent work that was not done.",
      "",
      `Then call coding_end_session with project_id "${project.slug}", summary: your summary, and success: ` +
        "whether the goal was reached. Record first anything not yet recorded: a fixed error " +
        "(coding_resolve_error), a decision (coding_record_decision).",
    ].join("\n");
  },
});
