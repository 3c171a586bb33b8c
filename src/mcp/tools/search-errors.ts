import { z } from "zod";
import { LIMITS } from "../../domain/limits";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";

export const searchErrorsTool = defineTool({
  name: "coding_search_errors",
  title: "Search past errors",
  description:
    "Find past errors similar to a message, stack trace or description, with their solutions and how often " +
    "they occurred. Paths, line numbers, addresses and quoted values are ignored when matching.",
  inputSchema: z.object({
    ...scopedInput,
    query: z.string().min(1).max(LIMITS.queryChars).describe("Error text or a description of the problem."),
    k: z.number().int().min(1).max(LIMITS.searchK).default(5).describe("How many results (default 5)."),
    resolved_only: z.boolean().default(false).describe("Only errors that have a solution."),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "POST", path: "/errors/search" },
  async run({ services, project }, input) {
    const hits = await services.memory.searchErrors(project, input.query, {
      k: input.k,
      resolvedOnly: input.resolved_only,
    });
    const results = hits.map((hit) => ({
      error_id: hit.error.id,
      error_type: hit.error.errorType,
      message: hit.error.message,
      file_path: hit.error.filePath,
      line_number: hit.error.lineNumber,
      solution: hit.error.solution,
      resolved: hit.error.resolved,
      occurrences: hit.error.occurrences,
      last_seen: new Date(hit.error.lastSeen).toISOString(),
      tags: hit.error.tags,
      score: hit.score,
      signals: hit.signals,
    }));
    if (!results.length) {
      return {
        data: { results, count: 0, message: "No similar errors found." },
        text: "No similar errors found. Record this one with coding_record_error so the next occurrence is recognised.",
      };
    }
    const text = results
      .map(
        (r, i) =>
          `${i + 1}. ${r.error_type}: ${r.message.split("\n")[0]} (seen ${r.occurrences} time${r.occurrences === 1 ? "" : "s"}, score ${r.score})` +
          (r.solution ? `\n   Fix: ${r.solution}` : "\n   Unresolved") +
          `\n   id ${r.error_id}${r.file_path ? ` · ${r.file_path}${r.line_number ? `:${r.line_number}` : ""}` : ""}`,
      )
      .join("\n");
    return { data: { results, count: results.length }, text: `Found ${results.length} similar error(s):\n${text}` };
  },
});
