import { z } from "zod";
import { bulletList } from "../render";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";

export const getDecisionImplementationStatusTool = defineTool({
  name: "coding_get_decision_implementation_status",
  title: "Get decision implementation status",
  description: "Which of a decision's files were changed with its implements_decision_id, which are pending.",
  inputSchema: z.object({
    ...scopedInput,
    decision_id: z.string().min(1).max(64),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "GET", path: "/decisions/:decision_id/implementation" },
  async run({ services, project }, input) {
    const status = await services.memory.decisionImplementation(project, input.decision_id);
    const percent = Math.round(status.completion * 100);
    const lines = [
      `🧭 Implementation Status: ${status.decision}`,
      "",
      status.basis === "related_files"
        ? `Progress: ${percent}% (${status.implementedFiles.length} of ${status.relatedFiles.length} files implemented)`
        : `Progress: ${percent}% (the decision lists no related files; ${status.changes.length} change(s) implement it)`,
    ];
    if (status.basis === "related_files") {
      lines.push(
        "",
        "Implemented:",
        bulletList(status.implementedFiles),
        "",
        "Pending:",
        bulletList(status.pendingFiles),
      );
    }
    if (status.additionalFiles.length) lines.push("", "Also changed for it:", bulletList(status.additionalFiles));
    return {
      data: {
        decision_id: status.decisionId,
        decision: status.decision,
        completion: status.completion,
        basis: status.basis,
        related_files: status.relatedFiles,
        implemented_files: status.implementedFiles,
        pending_files: status.pendingFiles,
        additional_files: status.additionalFiles,
        changes: status.changes.map((change) => ({
          change_id: change.changeId,
          file_path: change.filePath,
          action: change.action,
          user_id: change.userId,
          created_at: new Date(change.createdAt).toISOString(),
        })),
      },
      text: lines.join("\n"),
    };
  },
});
