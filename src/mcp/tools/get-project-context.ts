import { z } from "zod";
import { DEFAULT_CONTEXT_TOKENS } from "../../domain/context";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";

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
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "GET", path: "/context" },
  async run({ services, identity, project }, input) {
    const context = await services.memory.projectContext(identity, project, {
      focus: input.focus?.trim() || null,
      maxTokens: input.max_tokens,
    });
    const { markdown, ...data } = context;
    return { data: { ...data, markdown }, text: markdown };
  },
});
