// Prompt files bundled as text by wrangler's Text module rule (wrangler.toml [[rules]]).
import sessionSummary from "../../prompts/session-summary.md";
import contextCompression from "../../prompts/context-compression.md";
import errorAnalysis from "../../prompts/error-analysis.md";
import preferenceExtraction from "../../prompts/preference-extraction.md";
import solutionSuggestion from "../../prompts/solution-suggestion.md";
import screenshotAnalysis from "../../prompts/screenshot-analysis.md";
import diagramAnalysis from "../../prompts/diagram-analysis.md";

export interface Prompts {
  sessionSummary: string;
  solutionSuggestion: string;
  preferenceExtraction: string;
  errorAnalysis: string;
  contextCompression: string;
  screenshotAnalysis: string;
  diagramAnalysis: string;
}

export const PROMPTS: Prompts = {
  sessionSummary,
  solutionSuggestion,
  preferenceExtraction,
  errorAnalysis,
  contextCompression,
  screenshotAnalysis,
  diagramAnalysis,
};
