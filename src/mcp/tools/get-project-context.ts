import { z } from "zod";
import { DEFAULT_CONTEXT_TOKENS } from "../../domain/context/context";
import { ContextCompressor } from "../../domain/llm/context-compression";
import { contextOutput, contextView, contextViewSchema } from "../../views/context";
import { elicitedDecision, llmResultSchema } from "../../views/llm";
import { scopedInput } from "../schema";
import { defineTool, type Resume } from "../tool";

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

/** coding_approve of a held compression: the context is built again with the held options, then compressed. */
export const resumeContextCompression: Resume = async ({ services, identity, project }, approval) => {
  const options = ContextCompressor.heldOptions(approval);
  const build = (o: typeof options) => services.context.projectContext(identity, project, o);
  const context = await build(options);
  const result = await services.llm.compressor.compress(approval.userId, project, context, build, { approved: true });
  const output = contextOutput(context, result);
  return { data: output.data, text: `Approved.\n${output.text}` };
};
