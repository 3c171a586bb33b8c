import { z } from "zod";
import { LIMITS } from "../../domain/limits";
import { FILE_ACTIONS } from "../../domain/records";
import { scopedInput, stringList } from "../schema";
import { defineTool } from "../tool";

export const trackFileChangeTool = defineTool({
  name: "coding_track_file_change",
  title: "Track file change",
  description:
    "Record a file modification with its reason (and diff). Linked to the active session, and to a decision " +
    "when implements_decision_id is given. Secrets in the diff are redacted before storage.",
  inputSchema: z.object({
    ...scopedInput,
    file_path: z.string().min(1).max(LIMITS.filePathChars).describe("Path relative to the repository root."),
    action: z.enum(FILE_ACTIONS).describe("create, edit, delete, rename, refactor or test."),
    diff: z
      .string()
      .nullish()
      .describe(`Unified diff or excerpt. Over ${LIMITS.diffChars} characters it is truncated and flagged.`),
    reason: z.string().min(1).max(LIMITS.reasonChars).describe("Why the change was made."),
    related_files: stringList("Other files involved."),
    line_range: z
      .string()
      .regex(/^\d+(\s*[,-]\s*\d+)?$/, "line_range must look like '42' or '42,57'")
      .nullish()
      .describe("Changed lines, e.g. '42,57'."),
    implements_decision_id: z.string().max(64).nullish().describe("Id of the decision this change implements."),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  access: "write",
  rest: { method: "POST", path: "/changes" },
  async run({ services, identity, project }, input) {
    const { change, diffOriginalLength, redactions } = await services.memory.trackFileChange(identity, project, {
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
