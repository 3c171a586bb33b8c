import { z } from "zod";
import { LIMITS } from "../../domain/core/limits";
import { FILE_ACTIONS } from "../../domain/core/records";
import { scopedInput, stringList } from "../schema";
import { defineTool } from "../tool";
import { redactionsSchema } from "../../views/records";

const trackFileChangeOutput = z.object({
  change_id: z.string(),
  file_path: z.string(),
  action: z.string(),
  session_id: z.string().nullable(),
  implements_decision_id: z.string().nullable(),
  diff_truncated: z.boolean(),
  redactions: redactionsSchema,
});

export const trackFileChangeTool = defineTool({
  name: "coding_track_file_change",
  title: "Track file change",
  description: "Record a file change with its reason and diff (secrets are redacted).",
  inputSchema: z.object({
    ...scopedInput,
    file_path: z.string().min(1).max(LIMITS.filePathChars),
    action: z.enum(FILE_ACTIONS),
    diff: z.string().nullish().describe("Unified diff or excerpt."),
    reason: z.string().min(1).max(LIMITS.reasonChars).describe("Why the change was made."),
    related_files: stringList(""),
    line_range: z
      .string()
      .regex(/^\d+(\s*[,-]\s*\d+)?$/, "line_range must look like '42' or '42,57'")
      .nullish()
      .describe("e.g. '42,57'."),
    implements_decision_id: z.string().max(64).nullish().describe("The decision it implements."),
  }),
  outputSchema: trackFileChangeOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  access: "write",
  rest: { method: "POST", path: "/changes" },
  async run({ services, identity, project }, input) {
    const { change, diffOriginalLength, redactions } = await services.decisions.trackFileChange(identity, project, {
      filePath: input.file_path,
      action: input.action,
      diff: input.diff ?? null,
      reason: input.reason,
      relatedFiles: input.related_files,
      lineRange: input.line_range ?? null,
      implementsDecisionId: input.implements_decision_id ?? null,
    });
    const notes: string[] = [];
    if (change.diffTruncated) notes.push(`diff truncated from ${diffOriginalLength} to ${LIMITS.diffChars} characters`);
    if (redactions.length) notes.push(`redacted ${redactions.map((r) => `${r.count} ${r.kind}`).join(", ")}`);
    return {
      data: {
        change_id: change.id,
        file_path: change.filePath,
        action: change.action,
        session_id: change.sessionId,
        implements_decision_id: change.implementsDecisionId,
        diff_truncated: change.diffTruncated,
        redactions,
      },
      text:
        `Tracked ${change.action} of ${change.filePath} (${change.id})` +
        (change.sessionId ? ` in session ${change.sessionId}` : " (no active session)") +
        (notes.length ? `. Note: ${notes.join("; ")}.` : "."),
    };
  },
});
