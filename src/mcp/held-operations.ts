import type { HeldOperation } from "../domain/llm/types";
import type { Resume } from "./tool";
import { resumeDiagramAnalysis } from "./tools/analyze-diagram";
import { resumePreferenceExtraction } from "./tools/analyze-patterns";
import { resumeSessionSummary } from "./tools/end-session";
import { resumeContextCompression } from "./tools/get-project-context";
import { resumeSolutionSuggestion } from "./tools/get-solutions-for-error";
import { resumeScreenshotAnalysis } from "./tools/record-error";

/**
 * What coding_approve runs for each LLM operation a tool can hold for the user's approval; each resume lives in
 * the tool file that holds the operation. Keyed by HeldOperation, so a new held operation without a way to
 * resume it does not compile.
 */
export const HELD_OPERATIONS: Record<HeldOperation, Resume> = {
  session_summary: resumeSessionSummary,
  solution_suggestion: resumeSolutionSuggestion,
  preference_extraction: resumePreferenceExtraction,
  context_compression: resumeContextCompression,
  screenshot_analysis: resumeScreenshotAnalysis,
  diagram_analysis: resumeDiagramAnalysis,
};
