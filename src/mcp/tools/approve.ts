import { decisionSchema } from "../../views/llm";
import { HELD_OPERATIONS } from "../held-operations";
import { approvalInput } from "../schema";
import { defineTool } from "../tool";

/** Approving runs the held operation: its own result's fields come with the decision. */
const approveOutput = decisionSchema.loose();

export const approveTool = defineTool({
  name: "coding_approve",
  title: "Approve an LLM operation",
  description: "Approve a held LLM operation; it then runs.",
  inputSchema: approvalInput,
  outputSchema: approveOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  access: "write",
  rest: { method: "POST", path: "/approvals/:approval_id/approve", status: 200 },
  async run(ctx, input) {
    const { services, identity, project } = ctx;
    const approval = await services.llm.approvals.take(identity.userId, project.id, input.approval_id);
    const output = await HELD_OPERATIONS[approval.operation](ctx, approval);
    return {
      data: { approval_id: approval.id, decision: "approved", operation: approval.operation, ...output.data },
      text: output.text,
    };
  },
});
