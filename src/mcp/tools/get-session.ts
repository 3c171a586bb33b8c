import { z } from "zod";
import { AppError } from "../../domain/app-error";
import { scopedInput } from "../schema";
import { defineTool } from "../tool";

export const getSessionTool = defineTool({
  name: "coding_get_session",
  title: "Get a coding session",
  description:
    "One coding session with its summary (yours, the recorded-activity digest, or the AI summary once it is " +
    "written), status, times and outcome. Use it to fetch an AI summary that was still pending at session end.",
  inputSchema: z.object({
    ...scopedInput,
    session_id: z.string().min(1).max(64).describe("Id from coding_start_session or coding_end_session."),
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
      // Why the AI summary could not be written (no API key, provider refused); the digest stays.
      summary_error: session.summaryError,
    };
    return {
      data,
      text:
        `Session ${session.id} (${session.status}): ${session.description}` +
        (session.summary ? `\n\n${session.summary}` : "") +
        (session.summarySource ? `\n\n(summary: ${session.summarySource})` : "") +
        (session.summaryError ? `\n(AI summary failed: ${session.summaryError})` : ""),
    };
  },
});
