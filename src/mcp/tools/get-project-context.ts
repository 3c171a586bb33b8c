import { z } from "zod";
import { DEFAULT_CONTEXT_TOKENS, type ProjectContext } from "../../domain/context";
import type { CompressionResult } from "../../domain/llm/context-compression";
import { heldApproval, heldApprovalNote, heldApprovalView } from "../approvals";
import { scopedInput } from "../schema";
import { defineTool, type ToolOutput } from "../tool";

export const getProjectContextTool = defineTool({
  name: "coding_get_project_context",
  title: "Get project context",
  description:
    "What the team knows about this project: active session, inferred stack, open and solved errors, design " +
    "decisions with rationale, recent changes and most-changed files, within a token budget. `focus` narrows it.",
  inputSchema: z.object({
    ...scopedInput,
    focus: z.string().max(500).nullish().describe("Topic to narrow to, e.g. 'authentication'."),
    max_tokens: z
      .number()
      .int()
      .min(200)
      .max(20_000)
      .default(DEFAULT_CONTEXT_TOKENS)
      .describe(`Approximate size budget of the result (default ${DEFAULT_CONTEXT_TOKENS} tokens).`),
    compress: z
      .boolean()
      .default(false)
      .describe(
        "When the context does not fit, have the project's model compress a larger one into the budget " +
          "instead of leaving items out (costs money, may need approval).",
      ),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  access: "read",
  rest: { method: "GET", path: "/context" },
  async run({ services, identity, project }, input) {
    const context = await services.memory.projectContext(identity, project, {
      focus: input.focus?.trim() || null,
      maxTokens: input.max_tokens,
    });
    const { markdown, ...data } = context;
    if (!input.compress) return { data: { ...data, markdown }, text: markdown };
    const compression = await services.compressor.compress(
      identity.userId,
      project,
      context,
      (options) => services.memory.projectContext(identity, project, options),
      { approved: false },
    );
    return contextOutput(context, compression);
  },
});

export function contextOutput(context: ProjectContext, compression: CompressionResult): ToolOutput {
  const { markdown, ...data } = context;
  const view = compressionView(compression);
  if (compression.state === "ready") {
    return { data: { ...data, markdown: compression.markdown, compression: view }, text: compression.markdown };
  }
  if (compression.state === "approval_required") {
    return {
      ...heldApproval("compression of the project context", compression.approval),
      data: { ...data, markdown, compression: view },
      text: `${markdown}\n\n${heldApprovalNote("compressing the full context", compression.approval)}`,
    };
  }
  return { data: { ...data, markdown, compression: view }, text: markdown };
}

function compressionView(result: CompressionResult) {
  switch (result.state) {
    case "ready":
      return {
        state: result.state,
        model: result.model,
        cost_usd: Math.round(result.usd * 1e6) / 1e6,
        source_tokens: result.sourceTokens,
        ...(result.warning ? { budget_warning: result.warning } : {}),
      };
    case "approval_required":
      return heldApprovalView(result.approval);
    case "skipped":
      return { state: result.state, reason: result.reason };
  }
}
