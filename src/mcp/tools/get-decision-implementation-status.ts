import { z } from "zod";
import { bulletList, plural } from "../../views/render";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";
import { isoTime } from "../../views/records";

const implementationOutput = z.object({
  decision_id: z.string(),
  decision: z.string(),
  completion: z.number().describe("0..1"),
  basis: z.enum(["related_files", "changes"]),
  related_files: z.array(z.string()),
  implemented_files: z.array(z.string()),
  pending_files: z.array(z.string()),
  additional_files: z.array(z.string()),
  changes: z.array(
    z.object({
      change_id: z.string(),
      file_path: z.string(),
      action: z.string(),
      user_id: z.string(),
      created_at: isoTime,
    }),
  ),
});

export const getDecisionImplementationStatusTool = defineTool({
  name: "coding_get_decision_implementation_status",
  title: "Get decision implementation status",
  description: "Which of a decision's files were changed with its implements_decision_id, which are pending.",
  inputSchema: z.object({
    ...scopedInput,
    decision_id: z.string().min(1).max(64),
  }),
  outputSchema: implementationOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "GET", path: "/decisions/:decision_id/implementation" },
  async run({ services, project }, input) {
    const status = await services.decisions.decisionImplementation(project, input.decision_id);
    const percent = Math.round(status.completion * 100);
    const lines = [
      `🧭 Implementation Status: ${status.decision}`,
      "",
      status.basis === "related_files"
        ? `Progress: ${percent}% (${status.implementedFiles.length} of ${plural(status.relatedFiles.length, "file")} implemented)`
        : `Progress: ${percent}% (the decision lists no related files; ${plural(status.changes.length, "change")} ${status.changes.length === 1 ? "implements" : "implement"} it)`,
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
