import type { PromptDefinition } from "./prompt";
import { recallErrorPrompt } from "./recall-error";
import { recordDecisionPrompt } from "./record-decision";
import { startSessionPrompt } from "./start-session";
import { summarizeSessionPrompt } from "./summarize-session";

/** The prompts every MCP client lists, in the order of a session's workflow. */
export const prompts: PromptDefinition[] = [
  startSessionPrompt,
  recallErrorPrompt,
  recordDecisionPrompt,
  summarizeSessionPrompt,
];
