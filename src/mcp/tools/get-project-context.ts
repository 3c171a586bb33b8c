import { z } from "zod";
import { DEFAULT_CONTEXT_TOKENS, type ProjectContext } from "../../domain/context/context";
import type { CompressionResult } from "../../domain/llm/context-compression";
import { heldApproval, heldApprovalNote, heldApprovalView } from "../approvals";
import { scopedInput } from "../schema";
import { defineTool, type ToolOutput } from "../tool";
import { contextView, contextViewSchema } from "../../views/context";
import { elicitedDecision, llmResultSchema } from "../../views/llm";

const contextOutputSchema = contextViewSchema.extend({
  /** With compress: how the compression went (ready, held for approval, or skipped and why). */
  compression: llmResultSchema({ source_tokens: z.number().optional() }).optional(),
  ...elicitedDecision,
});

export const getProjectContextTool = defineTool({
  name: "coding_get_project_context",
  title: "Get project context",
  description:
    "The project's stack, open and solved errors, decisions and recent changes, within a token budget. Read it first.",
  inputSchema: z.object({
    ...scopedInput,
    focus: z.string().max(500).nullish().describe("A topic, e.g. 'auth'."),
    max_tokens: z
      .number()
      .int()
      .min(200)
      .max(20_000)
      .default(DEFAULT_CONTEXT_TOKENS)
      .describe("Size budget in tokens."),
    compress: z.boolean().default(false).describe("Have the model compress what does not fit (costs money)."),
  }),
  outputSchema: contextOutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  access: "read",
  rest: { method: "GET", path: "/context" },
  async run({ services, identity, project }, input) {
    const context = await services.context.projectContext(identity, project, {
      focus: input.focus?.trim() || null,
      maxTokens: input.max_tokens,
    });
    if (!input.compress) return { data: contextView(context), text: context.markdown };
    const compression = await services.llm.compressor.compress(
      identity.userId,
      project,
      context,
      (options) => services.context.projectContext(identity, project, options),
      { approved: false },
    );
    return contextOutput(context, compression);
  },
});

export function contextOutput(context: ProjectContext, compression: CompressionResult): ToolOutput {
  const { markdown } = context;
  const view = compressionView(compression);
  if (compression.state === "ready") {
    return {
      data: { ...contextView(context, compression.markdown), compression: view },
      text: compression.markdown,
    };
  }
  if (compression.state === "approval_required") {
    return {
      ...heldApproval("compression of the project context", compression.approval),
      data: { ...contextView(context), compression: view },
      text: `${markdown}\n\n${heldApprovalNote("compressing the full context", compression.approval)}`,
    };
  }
  return { data: { ...contextView(context), compression: view }, text: markdown };
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
