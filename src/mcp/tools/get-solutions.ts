import { z } from "zod";
import { AppError } from "../../domain/app-error";
import type { SolutionSuggestion } from "../../domain/error-search";
import { LIMITS } from "../../domain/limits";
import type { ErrorRecord } from "../../domain/records";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";
import { vectorStatusNote, vectorStatusView } from "./search-errors";

export const getSolutionsTool = defineTool({
  name: "coding_get_solutions_for_error",
  title: "Get solutions for an error",
  description:
    "Fixes that worked before: the solution recorded for this error and those of similar resolved errors, each " +
    "with a confidence (high/medium/low) from how similar the errors are, how many errors the same fix resolved, " +
    "and whether the error came back after it. Pass error_id of a recorded error, or error_text for a new one.",
  inputSchema: z.object({
    ...scopedInput,
    error_id: z.string().min(1).max(64).nullish().describe("Id from coding_record_error or coding_search_errors."),
    error_text: z
      .string()
      .min(1)
      .max(LIMITS.queryChars)
      .nullish()
      .describe("Or: an error message / stack trace that was not recorded."),
    limit: z.number().int().min(1).max(20).default(5).describe("How many solutions at most (default 5)."),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "POST", path: "/errors/solutions" },
  async run({ services, project }, input) {
    if (!input.error_id === !input.error_text) {
      throw new AppError("invalid_input", "error_id: give exactly one of error_id or error_text.", {
        details: { field: input.error_id ? "error_text" : "error_id" },
      });
    }
    let source: { error: ErrorRecord } | { text: string };
    if (input.error_id) {
      const error = await services.memory.getError(project, input.error_id);
      if (!error) {
        throw new AppError("not_found", `error_id: error ${input.error_id} not found in project ${project.slug}.`, {
          details: { field: "error_id" },
        });
      }
      source = { error };
    } else source = { text: input.error_text ?? "" };

    const { suggestions, vector } = await services.search.solutionsFor(project, source, input.limit);
    const solutions = suggestions.map(solutionView);
    const note = vectorStatusNote(vector);
    const data = { solutions, count: solutions.length, vector_search: vectorStatusView(vector) };
    if (!solutions.length) {
      return {
        data,
        text:
          "No known solution: neither this error nor a similar one has been resolved in this project yet." +
          (note ? `\n${note}` : ""),
      };
    }
    return { data, text: renderSolutions(solutions) + (note ? `\n${note}` : "") };
  },
});

export function solutionView(suggestion: SolutionSuggestion) {
  return {
    solution: suggestion.solution,
    confidence: suggestion.confidence,
    basis: suggestion.basis,
    error_id: suggestion.errorId,
    error_type: suggestion.errorType,
    message: suggestion.message,
    similarity: suggestion.similarity,
    same_error: suggestion.sameError,
    resolved_errors: suggestion.resolvedErrors,
    recurred_after_fix: suggestion.recurredAfterFix,
    resolved_at: suggestion.resolvedAt === null ? null : new Date(suggestion.resolvedAt).toISOString(),
  };
}

export function renderSolutions(solutions: Array<ReturnType<typeof solutionView>>): string {
  return solutions
    .map(
      (s, i) =>
        `${i + 1}. [${s.confidence}] ${s.solution}\n   From ${s.error_type}: ${s.message.split("\n")[0]} (${s.basis}; id ${s.error_id})`,
    )
    .join("\n");
}
