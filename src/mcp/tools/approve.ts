import { z } from "zod";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";
import { summaryStatusNote, summaryStatusView } from "./end-session";
import { adviceView, renderAdvice } from "./get-solutions-for-error";
import { preferenceView, renderPreferences } from "./analyze-patterns";
import { contextOutput } from "./get-project-context";
import { renderRecordOutcome } from "./record-error";
import { renderDiagramOutcome } from "./analyze-diagram";
import { ContextCompressor } from "../../domain/llm/context-compression";

const approvalInput = z.object({
  ...scopedInput,
  approval_id: z.string().min(1).max(64),
});

const decisionOutput = z.object({
  approval_id: z.string(),
  decision: z.enum(["approved", "denied"]),
  operation: z.string(),
});
/** Approving runs the held operation: its own result's fields come with the decision. */
const approveOutput = decisionOutput.loose();

export const approveTool = defineTool({
  name: "coding_approve",
  title: "Approve an LLM operation",
  description: "Approve a held LLM operation; it then runs.",
  inputSchema: approvalInput,
  outputSchema: approveOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  access: "write",
  rest: { method: "POST", path: "/approvals/:approval_id/approve", status: 200 },
  async run({ services, identity, project }, input) {
    const approval = await services.llm.approvals.take(identity.userId, project.id, input.approval_id);
    const base = { approval_id: approval.id, decision: "approved", operation: approval.operation };
    if (approval.operation === "context_compression") {
      const options = ContextCompressor.heldOptions(approval);
      const build = (o: typeof options) => services.context.projectContext(identity, project, o);
      const context = await build(options);
      const result = await services.llm.compressor.compress(approval.userId, project, context, build, {
        approved: true,
      });
      const output = contextOutput(context, result);
      return { data: { ...base, ...output.data }, text: `Approved.\n${output.text}` };
    }
    if (approval.operation === "preference_extraction") {
      const report = await services.context.analyzePatterns(project);
      if (report.status !== "ok") return { data: { ...base, preferences: null }, text: report.message };
      const result = await services.llm.preferences.extract(approval.userId, project, report, { approved: true });
      return {
        data: { ...base, preferences: preferenceView(result) },
        text: `Approved.\n${renderPreferences(result)}`,
      };
    }
    if (approval.operation === "screenshot_analysis") {
      const outcome = await services.errors.recorder.runApproved(identity, project, approval);
      const output = await renderRecordOutcome(services, project, outcome);
      return { data: { ...base, ...output.data }, text: `Approved.\n${output.text}` };
    }
    if (approval.operation === "diagram_analysis") {
      const output = renderDiagramOutcome(project, await services.diagrams.runApproved(identity, project, approval));
      return { data: { ...base, ...output.data }, text: `Approved.\n${output.text}` };
    }
    if (approval.operation === "solution_suggestion") {
      const result = await services.llm.advisor.runApproved(project, approval);
      return { data: { ...base, ai_suggestion: adviceView(result) }, text: `Approved.\n${renderAdvice(result)}` };
    }
    const status = await services.llm.summaries.runApproved(approval);
    const data = { ...base, summary_status: summaryStatusView(status) };
    const text =
      status.state === "ready"
        ? `Approved. AI summary:\n\n${status.summary}`
        : `Approved; the operation is running.${summaryStatusNote(status)}`;
    return { data: status.state === "ready" ? { ...data, summary: status.summary } : data, text };
  },
});

export const denyTool = defineTool({
  name: "coding_deny",
  title: "Deny an LLM operation",
  description: "Decline a held LLM operation.",
  inputSchema: approvalInput,
  outputSchema: decisionOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  access: "write",
  rest: { method: "POST", path: "/approvals/:approval_id/deny", status: 200 },
  async run({ services, identity, project }, input) {
    const approval = await services.llm.approvals.take(identity.userId, project.id, input.approval_id);
    return {
      data: { approval_id: approval.id, decision: "denied", operation: approval.operation },
      text:
        `Denied: the ${approval.operation.replace("_", " ")} was not run and nothing was spent` +
        (approval.operation === "session_summary" ? "; the session keeps its digest." : "."),
    };
  },
});
