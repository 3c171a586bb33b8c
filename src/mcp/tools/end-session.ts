import { z } from "zod";
import { LIMITS } from "../../domain/limits";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";

export const endSessionTool = defineTool({
  name: "coding_end_session",
  title: "End coding session",
  description:
    "End the active coding session. Returns its duration, counts of changes/errors/decisions and a summary: " +
    "yours if given, otherwise a structured digest of the recorded activity.",
  inputSchema: z.object({
    ...scopedInput,
    summary: z
      .string()
      .max(LIMITS.rationaleChars)
      .nullish()
      .describe("Your own summary; omit or null to get the generated digest."),
    success: z.boolean().nullish().describe("Whether the session achieved its goal."),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  access: "read",
  rest: { method: "POST", path: "/sessions/end" },
  async run({ services, identity, project }, input) {
    const { session, digest, redactions } = await services.memory.endSession(identity, project, {
      summary: input.summary ?? null,
      success: input.success ?? null,
    });
    const counts = {
      file_changes: digest.counts.fileChanges,
      errors: digest.counts.errors,
      decisions: digest.counts.decisions,
    };
    return {
      data: {
        session_id: session.id,
        duration_minutes: digest.durationMinutes,
        counts,
        success: session.success,
        summary: session.summary,
        summary_source: session.summarySource,
        files_touched: digest.filesTouched.map((f) => ({
          file_path: f.filePath,
          actions: f.actions,
          changes: f.changes,
        })),
        errors_resolved: digest.errorsResolved,
        errors_open: digest.errorsOpen,
        redactions,
      },
      text:
        `Session ${session.id} ended after ${digest.durationMinutes} min: ${counts.file_changes} change(s), ` +
        `${counts.errors} error(s), ${counts.decisions} decision(s).\n\n${session.summary ?? ""}`,
    };
  },
});
