import { z } from "zod";
import { LIMITS } from "../../domain/core/limits";
import { definePrompt, promptProject } from "./prompt";

export const recordDecisionPrompt = definePrompt({
  name: "record_decision",
  title: "Record a design decision",
  description: "Record a design decision with its rationale and rejected alternatives (coding_record_decision).",
  argsSchema: z.object({
    ...promptProject,
    decision: z.string().min(1).max(LIMITS.decisionChars).describe("The decision, in a sentence."),
  }),
  async build({ services, identity }, args) {
    // Read access is checked like every tool's: a prompt reveals nothing of a project the caller cannot see.
    await services.projects.resolveProject(identity, args.project_id, "read", { create: false });
    return [
      `Record this design decision in project ${args.project_id}: ${args.decision}`,
      "",
      "Call coding_record_decision with: decision (the sentence above, sharpened if needed); rationale (why, " +
        "from this conversation: the constraint or evidence that decided it); alternatives (the options " +
        "considered and rejected, each with the reason); impact (what it changes or rules out); related_files " +
        "(the files it concerns, repository paths); tags; confidence (0..1, how sure we are). Ask me for what " +
        "the conversation does not say rather than guessing.",
    ].join("\n");
  },
});
