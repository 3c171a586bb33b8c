import { z } from "zod";
import { AppError } from "../../domain/core/app-error";
import { LIMITS } from "../../domain/core/limits";
import type { ErrorRecord } from "../../domain/core/records";
import { elicitedDecision, heldApproval } from "../../views/llm";
import {
  renderSolutions,
  solutionView,
  solutionViewSchema,
  vectorStatusNote,
  vectorStatusSchema,
  vectorStatusView,
} from "../../views/search";
import { adviceSchema, adviceView, renderAdvice } from "../../views/solutions";
import { scopedInput } from "../schema";
import { defineTool, type Resume } from "../tool";

const getSolutionsOutput = z.object({
  solutions: z.array(solutionViewSchema),
  count: z.number(),
  vector_search: vectorStatusSchema,
  ai_suggestion: adviceSchema.optional(),
  ...elicitedDecision,
});

export const getSolutionsTool = defineTool({
  name: "coding_get_solutions_for_error",
  title: "Get solutions for an error",
  description: "Fixes that worked for this error or similar ones, with a confidence each. Give error_id or error_text.",
  inputSchema: z.object({
    ...scopedInput,
    error_id: z.string().min(1).max(64).nullish().describe("A recorded error."),
    error_text: z.string().min(1).max(LIMITS.queryChars).nullish().describe("Or an error's text."),
    limit: z.number().int().min(1).max(20).default(5),
    ai: z.boolean().default(false).describe("Also ask the project's model for advice (costs money)."),
  }),
  outputSchema: getSolutionsOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  access: "read",
  rest: { method: "POST", path: "/errors/solutions" },
  async run({ services, identity, project }, input) {
    if (!input.error_id === !input.error_text) {
      throw new AppError("invalid_input", "error_id: give exactly one of error_id or error_text.", {
        details: { field: input.error_id ? "error_text" : "error_id" },
      });
    }
    let source: { error: ErrorRecord } | { text: string };
    if (input.error_id) {
      const error = await services.errors.records.getError(project, input.error_id);
      if (!error) {
        throw new AppError("not_found", `error_id: error ${input.error_id} not found in project ${project.slug}.`, {
          details: { field: "error_id" },
        });
      }
      source = { error };
    } else source = { text: input.error_text ?? "" };

    const { suggestions, vector } = await services.errors.search.solutionsFor(project, source, input.limit);
    const advice = input.ai
      ? await services.llm.advisor.advise(identity.userId, project, source, { approved: false })
      : null;
    const solutions = suggestions.map(solutionView);
    const note = vectorStatusNote(vector);
    const data = {
      solutions,
      count: solutions.length,
      vector_search: vectorStatusView(vector),
      ...(advice ? { ai_suggestion: adviceView(advice) } : {}),
    };
    const adviceText = advice ? `\n\n${renderAdvice(advice)}` : "";
    const approval =
      advice?.state === "approval_required" ? heldApproval("AI advice for this error", advice.approval) : {};
    if (!solutions.length) {
      return {
        ...approval,
        data,
        text:
          "No known solution: neither this error nor a similar one has been resolved in this project yet." +
          (note ? `\n${note}` : "") +
          adviceText,
      };
    }
    return { ...approval, data, text: renderSolutions(solutions) + (note ? `\n${note}` : "") + adviceText };
  },
});

/** coding_approve of held advice: the model is asked now, about the error (or text) the approval names. */
export const resumeSolutionSuggestion: Resume = async ({ services, project }, approval) => {
  const result = await services.llm.advisor.runApproved(project, approval);
  return { data: { ai_suggestion: adviceView(result) }, text: `Approved.\n${renderAdvice(result)}` };
};
