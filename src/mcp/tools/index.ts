import type { ToolDefinition } from "../tool";
import { analyzeDiagramTool } from "./analyze-diagram";
import { analyzeFileDependenciesTool } from "./analyze-file-dependencies";
import { analyzePatternsTool } from "./analyze-patterns";
import { analyzeRefactorImpactTool } from "./analyze-refactor-impact";
import { approveTool, denyTool } from "./approve";
import { endSessionTool } from "./end-session";
import { getCostsTool } from "./get-costs";
import { getDecisionImplementationStatusTool } from "./get-decision-implementation-status";
import { getProjectContextTool } from "./get-project-context";
import { getSessionTool } from "./get-session";
import { getSolutionsTool } from "./get-solutions-for-error";
import { indexFilesTool } from "./index-files";
import { recordDecisionTool } from "./record-decision";
import { recordErrorTool } from "./record-error";
import { resolveErrorTool } from "./resolve-error";
import { searchErrorsTool } from "./search-errors";
import { startSessionTool } from "./start-session";
import { suggestRefactorOrderTool } from "./suggest-refactor-order";
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
  getDecisionImplementationStatusTool,
  searchErrorsTool,
  getSolutionsTool,
  getProjectContextTool,
  analyzePatternsTool,
  analyzeDiagramTool,
  indexFilesTool,
  analyzeFileDependenciesTool,
  analyzeRefactorImpactTool,
  suggestRefactorOrderTool,
  getCostsTool,
  updateSettingsTool,
  approveTool,
  denyTool,
];
