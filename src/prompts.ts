// Prompt files bundled as text by wrangler's Text module rule (wrangler.toml [[rules]]).
import sessionSummary from "../prompts/session-summary.md";

export interface Prompts {
  sessionSummary: string;
}

export const PROMPTS: Prompts = { sessionSummary };
