import { z } from "zod";
import { renderPatternReport } from "../../domain/context/change-statistics";
import { elicitedDecision, heldApproval } from "../../views/llm";
import {
  patternReportSchema,
  patternReportView,
  preferenceView,
  preferencesSchema,
  renderPreferences,
} from "../../views/patterns";
import { scopedInput } from "../schema";
import { defineTool, type Resume } from "../tool";

const patternsOutput = patternReportSchema.extend({
  /** scope team: the projects the analysis read. */
  projects: z.array(z.string()).optional(),
  preferences: preferencesSchema.optional(),
  ...elicitedDecision,
});

export const analyzePatternsTool = defineTool({
  name: "coding_analyze_patterns",
  title: "Analyze coding patterns",
  description:
    "Patterns in the project's history (10+ changes): languages, hot files, recurring errors, naming, tests; " +
    "with a model, the team's preferences.",
  inputSchema: z.object({
    ...scopedInput,
    ai: z.boolean().default(true).describe("Extract preferences with the project's model, if any."),
    scope: z
      .enum(["project", "team"])
      .default("project")
      .describe("team: across every project of this project's team you can read."),
  }),
  outputSchema: patternsOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  access: "read",
  rest: { method: "GET", path: "/patterns" },
  async run({ services, identity, project }, input) {
    const team =
      input.scope === "team"
        ? await services.context.analyzeTeamPatterns(
            await services.accounts.teams.projectsOf(
              identity,
              (await services.projects.projectAccess(identity, project)).teamId,
            ),
          )
        : null;
    const report = team ? team.report : await services.context.analyzePatterns(project);
    const projects = team ? { projects: team.projects.map((p) => p.slug) } : {};
    const scopeNote = team
      ? `Across ${projects.projects?.length} projects of the team: ${projects.projects?.join(", ")}.\n`
      : "";
    if (report.status !== "ok" || !input.ai)
      return {
        data: { ...patternReportView(report), ...projects },
        text: `${scopeNote}${renderPatternReport(report)}`,
      };
    const result = await services.llm.preferences.extract(identity.userId, project, report, { approved: false });
    return {
      ...(result.state === "approval_required"
        ? heldApproval("extraction of the team's preferences", result.approval)
        : {}),
      data: { ...patternReportView(report), ...projects, preferences: preferenceView(result) },
      text: `${scopeNote}${renderPatternReport(report)}\n\n${renderPreferences(result)}`,
    };
  },
});

/** coding_approve of a held extraction: the report is read again (it may have grown) and the model asked. */
export const resumePreferenceExtraction: Resume = async ({ services, project }, approval) => {
  const report = await services.context.analyzePatterns(project);
  if (report.status !== "ok") return { data: { preferences: null }, text: report.message };
  const result = await services.llm.preferences.extract(approval.userId, project, report, { approved: true });
  return { data: { preferences: preferenceView(result) }, text: `Approved.\n${renderPreferences(result)}` };
};
