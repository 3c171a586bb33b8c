import { z } from "zod";
import { AppError } from "../../domain/core/app-error";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";
import { sessionView, sessionViewSchema } from "../../views/records";

export const getSessionTool = defineTool({
  name: "coding_get_session",
  title: "Get a coding session",
  description: "A session's status, times, outcome and summary (also an AI summary pending at its end).",
  inputSchema: z.object({
    ...scopedInput,
    session_id: z.string().min(1).max(64),
  }),
  outputSchema: sessionViewSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "GET", path: "/sessions/:session_id" },
  async run({ services, project }, input) {
    const session = await services.sessions.getSession(project, input.session_id);
    if (!session) {
      throw new AppError("not_found", `session_id: session ${input.session_id} not found in project ${project.slug}.`, {
        details: { field: "session_id" },
      });
    }
    return {
      data: sessionView(session),
      text:
        `Session ${session.id} (${session.status}): ${session.description}` +
        (session.summary ? `\n\n${session.summary}` : "") +
        (session.summarySource ? `\n\n(summary: ${session.summarySource})` : "") +
        (session.summaryError ? `\n(AI summary failed: ${session.summaryError})` : ""),
    };
  },
});
