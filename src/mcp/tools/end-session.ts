import { z } from "zod";
import { LIMITS } from "../../domain/core/limits";
import type { SummaryStatus } from "../../domain/llm/session-summaries";
import { elicitedDecision, heldApproval } from "../../views/llm";
import { redactionsSchema } from "../../views/records";
import { plural } from "../../views/render";
import { summaryStatusNote, summaryStatusSchema, summaryStatusView } from "../../views/sessions";
import { budgetWarning } from "../approvals";
import { scopedInput } from "../schema";
import { defineTool, type Resume } from "../tool";

const endSessionOutput = z.object({
  session_id: z.string(),
  duration_minutes: z.number(),
  counts: z.object({ file_changes: z.number(), errors: z.number(), decisions: z.number() }),
  success: z.boolean().nullable(),
  summary: z.string().nullable(),
  summary_source: z.enum(["user", "digest", "llm"]).nullable(),
  summary_status: summaryStatusSchema,
  budget_warning: z.string().optional(),
  files_touched: z.array(z.object({ file_path: z.string(), actions: z.array(z.string()), changes: z.number() })),
  errors_resolved: z.number(),
  errors_open: z.number(),
  redactions: redactionsSchema,
  ...elicitedDecision,
});

export const endSessionTool = defineTool({
  name: "coding_end_session",
  title: "End coding session",
  description: "End the active session; returns counts and a summary (yours, or a digest).",
  inputSchema: z.object({
    ...scopedInput,
    summary: z.string().max(LIMITS.rationaleChars).nullish().describe("Your summary; omit for the digest."),
    success: z.boolean().nullish(),
  }),
  outputSchema: endSessionOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  access: "write",
  createsProject: false,
  rest: { method: "POST", path: "/sessions/end", status: 200 },
  async run({ services, identity, project }, input) {
    const { session, digest, redactions } = await services.sessions.endSession(identity, project, {
      summary: input.summary ?? null,
      success: input.success ?? null,
    });
    const status = await services.llm.summaries.afterSessionEnd(session).catch((error: unknown): SummaryStatus => {
      // The session is already ended and its digest stored; a summary that cannot be requested must not undo that.
      console.error(`AI summary of session ${session.id} not requested`, error);
      return { state: "skipped", reason: error instanceof Error ? error.message : String(error) };
    });
    const summary = status.state === "ready" ? status.summary : session.summary;
    // Spend near the budget is reported where LLM work happens, not only in coding_get_costs.
    const warning = status.state === "skipped" ? null : await budgetWarning(services, project.id).catch(() => null);
    const summarySource = status.state === "ready" ? status.source : session.summarySource;
    const counts = {
      file_changes: digest.counts.fileChanges,
      errors: digest.counts.errors,
      decisions: digest.counts.decisions,
    };
    return {
      ...(status.state === "approval_required" ? heldApproval("an AI summary of this session", status.approval) : {}),
      data: {
        session_id: session.id,
        duration_minutes: digest.durationMinutes,
        counts,
        success: session.success,
        summary,
        summary_source: summarySource,
        summary_status: summaryStatusView(status),
        ...(warning ? { budget_warning: warning } : {}),
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
        `Session ${session.id} ended after ${digest.durationMinutes} min: ${plural(counts.file_changes, "change")}, ` +
        `${plural(counts.errors, "error")}, ${plural(counts.decisions, "decision")}.\n\n${summary ?? ""}` +
        summaryStatusNote(status) +
        (warning ? `\n⚠️ ${warning}` : ""),
    };
  },
});

/** coding_approve of a held summary: queued (or written) now; the session keeps its digest until it is ready. */
export const resumeSessionSummary: Resume = async ({ services }, approval) => {
  const status = await services.llm.summaries.runApproved(approval);
  const data = { summary_status: summaryStatusView(status) };
  const text =
    status.state === "ready"
      ? `Approved. AI summary:\n\n${status.summary}`
      : `Approved; the operation is running.${summaryStatusNote(status)}`;
  return { data: status.state === "ready" ? { ...data, summary: status.summary } : data, text };
};
