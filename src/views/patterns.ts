import { z } from "zod";
import type { PatternReport } from "../domain/context/change-statistics";
import type { PreferenceResult } from "../domain/llm/preferences";
import { heldApprovalNote, llmResultSchema, llmResultView } from "./llm";
import { iso, isoTime } from "./records";

const share = z.number().describe("0..1");

export const patternReportSchema = z.object({
  status: z.enum(["ok", "insufficient_data"]),
  change_count: z.number(),
  /** insufficient_data: how many changes the analysis needs, and why it is not given. */
  required: z.number().optional(),
  message: z.string().optional(),
  distinct_file_count: z.number().optional(),
  first_change_at: isoTime.optional(),
  last_change_at: isoTime.optional(),
  languages: z.array(z.object({ language: z.string(), changes: z.number(), share })).optional(),
  actions: z.array(z.object({ action: z.string(), count: z.number(), share })).optional(),
  hot_files: z.array(z.object({ file_path: z.string(), changes: z.number() })).optional(),
  recurring_error_types: z
    .array(z.object({ error_type: z.string(), records: z.number(), occurrences: z.number(), unresolved: z.number() }))
    .optional(),
  error_classes: z
    .array(z.object({ name: z.string(), records: z.number(), occurrences: z.number(), unresolved: z.number() }))
    .optional(),
  naming_conventions: z
    .array(z.object({ convention: z.string(), files: z.number(), share, examples: z.array(z.string()) }))
    .optional(),
  test_file_count: z.number().optional(),
  test_file_share: share.optional(),
  directories: z.array(z.object({ directory: z.string(), changes: z.number(), share })).optional(),
});
export type PatternReportView = z.output<typeof patternReportSchema>;

export function patternReportView(report: PatternReport): PatternReportView {
  if (report.status === "insufficient_data") {
    return {
      status: report.status,
      change_count: report.changeCount,
      required: report.required,
      message: report.message,
    };
  }
  return {
    status: report.status,
    change_count: report.changeCount,
    distinct_file_count: report.distinctFileCount,
    first_change_at: iso(report.firstChangeAt),
    last_change_at: iso(report.lastChangeAt),
    languages: report.languages,
    actions: report.actions,
    hot_files: report.hotFiles.map((file) => ({ file_path: file.filePath, changes: file.changes })),
    recurring_error_types: report.recurringErrorTypes.map((type) => ({
      error_type: type.errorType,
      records: type.records,
      occurrences: type.occurrences,
      unresolved: type.unresolved,
    })),
    error_classes: report.errorClasses,
    naming_conventions: report.namingConventions,
    test_file_count: report.testFileCount,
    test_file_share: report.testFileShare,
    directories: report.directories,
  };
}

/** The team's preferences the model extracted, grouped (languages, libraries, naming, testing, style). */
export const preferencesSchema = llmResultSchema({});

export function preferenceView(result: PreferenceResult) {
  return llmResultView(result, (ready) => ({
    fields: ready.preferences ?? { text: ready.text },
    budgetWarning: ready.budget.warning,
  }));
}

export function renderPreferences(result: PreferenceResult): string {
  if (result.state === "skipped") return `Preferences: not extracted (${result.reason}).`;
  if (result.state === "approval_required") {
    return heldApprovalNote("extracting the team's preferences", result.approval);
  }
  if (!result.preferences) return `🧭 Preferences (${result.model}):\n${result.text}`;
  const lines = [`🧭 Preferences (${result.model}):`];
  for (const [group, items] of Object.entries(result.preferences)) {
    for (const entry of items)
      lines.push(`- ${group}: ${entry.preference}${entry.evidence ? ` (${entry.evidence})` : ""}`);
  }
  if (result.budget.warning) lines.push(`⚠️ ${result.budget.warning}`);
  return lines.join("\n");
}
