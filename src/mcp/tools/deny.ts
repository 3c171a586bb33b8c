import { decisionSchema } from "../../views/llm";
import { approvalInput } from "../schema";
import { defineTool } from "../tool";

export const denyTool = defineTool({
  name: "coding_deny",
  title: "Deny an LLM operation",
  description: "Decline a held LLM operation.",
  inputSchema: approvalInput,
  outputSchema: decisionSchema,
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
