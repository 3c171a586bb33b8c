import type { ToolDefinition } from "../tool";
import { analyzePatternsTool } from "./analyze-patterns";
import { approveTool, denyTool } from "./approve";
import { endSessionTool } from "./end-session";
import { getCostsTool } from "./get-costs";
import { getProjectContextTool } from "./get-project-context";
import { getSessionTool } from "./get-session";
import { getSolutionsTool } from "./get-solutions";
import { recordDecisionTool } from "./record-decision";
import { recordErrorTool } from "./record-error";
import { resolveErrorTool } from "./resolve-error";
import { searchErrorsTool } from "./search-errors";
import { startSessionTool } from "./start-session";
import { trackFileChangeTool } from "./track-file-change";
import { updateSettingsTool } from "./update-settings";

export const tools: readonly ToolDefinition[] = [
  startSessionTool,
  endSessionTool,
  getSessionTool,
  trackFileChangeTool,
  recordErrorTool,
  resolveErrorTool,
  recordDecisionTool,
  searchErrorsTool,
  getSolutionsTool,
  getProjectContextTool,
  analyzePatternsTool,
  getCostsTool,
  updateSettingsTool,
  approveTool,
  denyTool,
];
