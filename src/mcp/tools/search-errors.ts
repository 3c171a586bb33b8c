import { z } from "zod";
import { LIMITS } from "../../domain/core/limits";
import { isoDateField, scopedInput } from "../schema";
import { defineTool } from "../tool";
import {
  hitView,
  hitViewSchema,
  rerankStatusSchema,
  rerankStatusView,
  vectorStatusNote,
  vectorStatusSchema,
  vectorStatusView,
} from "../../views/search";
import { plural } from "../../views/render";

const searchErrorsOutput = z.object({
  results: z.array(hitViewSchema),
  count: z.number(),
  mode: z.enum(["hybrid", "lexical", "vector"]),
  vector_search: vectorStatusSchema,
  rerank: rerankStatusSchema,
  message: z.string().optional(),
});

export const searchErrorsTool = defineTool({
  name: "coding_search_errors",
  title: "Search past errors",
  description: "Find past errors like a message, trace or description, with their fixes; search before debugging.",
  inputSchema: z.object({
    ...scopedInput,
    query: z.string().min(1).max(LIMITS.queryChars).describe("Error text or a description."),
    k: z.number().int().min(1).max(LIMITS.searchK).default(5),
    resolved_only: z.boolean().default(false),
    error_type: z.string().min(1).max(256).nullish().describe("Only this exception class."),
    file: z.string().min(1).max(LIMITS.filePathChars).nullish().describe("Only errors in this file (or path suffix)."),
    tag: z.string().min(1).max(LIMITS.tagChars).nullish(),
    since: isoDateField.nullish().describe("Only errors seen since this ISO-8601 date or date-time."),
    mode: z.enum(["hybrid", "lexical", "vector"]).default("hybrid"),
  }),
  outputSchema: searchErrorsOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "POST", path: "/errors/search" },
  async run({ services, project }, input) {
    const since = input.since ?? null;
    const result = await services.errors.search.search(project, input.query, {
      k: input.k,
      mode: input.mode,
      filters: {
        resolvedOnly: input.resolved_only,
        errorType: input.error_type ?? null,
        file: input.file ?? null,
        tag: input.tag ?? null,
        since,
      },
    });
    const results = result.hits.map(hitView);
    const vectorNote = vectorStatusNote(result.vector);
    const data = {
      results,
      count: results.length,
      mode: result.mode,
      vector_search: vectorStatusView(result.vector),
      rerank: rerankStatusView(result.rerank),
    };
    if (!results.length) {
      return {
        data: { ...data, message: "No similar errors found." },
        text:
          "No similar errors found. Record this one with coding_record_error so the next occurrence is recognised." +
          (vectorNote ? `\n${vectorNote}` : ""),
      };
    }
    const text = results
      .map(
        (r, i) =>
          `${i + 1}. ${r.error_type}: ${r.message.split("\n")[0]} (seen ${plural(r.occurrences, "time")}, score ${r.score})` +
          (r.solution ? `\n   Fix: ${r.solution}` : "\n   Unresolved") +
          `\n   Why: ${r.why}` +
          `\n   id ${r.error_id}${r.file_path ? ` · ${r.file_path}${r.line_number ? `:${r.line_number}` : ""}` : ""}`,
      )
      .join("\n");
    return {
      data,
      text: `Found ${plural(results.length, "similar error")}:\n${text}${vectorNote ? `\n${vectorNote}` : ""}`,
    };
  },
});
