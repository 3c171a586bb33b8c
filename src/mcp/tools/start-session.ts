import { z } from "zod";
import { LIMITS } from "../../domain/core/limits";
import { scopedInput, stringList } from "../schema";
import { defineTool } from "../tool";
import { isoTime, redactionsSchema } from "../../views/records";

const startSessionOutput = z.object({
  session_id: z.string(),
  project_id: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  started_at: isoTime,
  expires_at: isoTime,
  redactions: redactionsSchema,
});

export const startSessionTool = defineTool({
  name: "coding_start_session",
  title: "Start coding session",
  description: "Start a coding session; what is recorded while it is active is linked to it.",
  inputSchema: z.object({
    ...scopedInput,
    description: z.string().min(1).max(LIMITS.descriptionChars).describe("What this session is about."),
    tags: stringList("e.g. feature, bugfix.", LIMITS.tagChars),
  }),
  outputSchema: startSessionOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  access: "write",
  rest: { method: "POST", path: "/sessions" },
  async run({ services, identity, project }, input) {
    const { session, expiresAt, redactions } = await services.sessions.startSession(identity, project, {
      description: input.description,
      tags: input.tags,
    });
    const startedAt = new Date(session.startedAt).toISOString();
    return {
      data: {
        session_id: session.id,
        project_id: project.slug,
        description: session.description,
        tags: session.tags,
        started_at: startedAt,
        expires_at: new Date(expiresAt).toISOString(),
        redactions,
      },
      text:
        `Session started: ${session.id}\n"${session.description}" since ${startedAt}. ` +
        `Changes, errors and decisions are now linked to it; it closes automatically at ${new Date(expiresAt).toISOString()} if not ended.`,
    };
  },
});
