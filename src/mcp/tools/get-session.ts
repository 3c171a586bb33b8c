import { z } from "zod";
import { AppError } from "../../domain/app-error";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";

export const getSessionTool = defineTool({
  name: "coding_get_session",
  title: "Get a coding session",
  description: "A session's status, times, outcome and summary (also an AI summary pending at its end).",
  inputSchema: z.object({
    ...scopedInput,
    session_id: z.string().min(1).max(64),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: "read",
  rest: { method: "GET", path: "/sessions/:session_id" },
  async run({ services, project }, input) {
    const session = await services.memory.getSession(project, input.session_id);
    if (!session) {
      throw new AppError("not_found", `session_id: session ${input.session_id} not found in project ${project.slug}.`, {
        details: { field: "session_id" },
      });
    }
    const data = {
      session_id: session.id,
      user_id: session.userId,
      description: session.description,
      tags: session.tags,
      status: session.status,
      success: session.success,
      started_at: new Date(session.startedAt).toISOString(),
      ended_at: session.endedAt === null ? null : new Date(session.endedAt).toISOString(),
      summary: session.summary,
      summary_source: session.summarySource,
    };
    return {
      data,
      text:
        `Session ${session.id} (${session.status}): ${session.description}` +
        (session.summary ? `\n\n${session.summary}` : "") +
        (session.summarySource ? `\n\n(summary: ${session.summarySource})` : ""),
    };
  },
});
