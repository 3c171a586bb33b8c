import type { ToolDefinition } from "./tool";
import { analyzeDiagramTool } from "./tools/analyze-diagram";
import { analyzeFileDependenciesTool } from "./tools/analyze-file-dependencies";
import { analyzePatternsTool } from "./tools/analyze-patterns";
import { analyzeRefactorImpactTool } from "./tools/analyze-refactor-impact";
import { approveTool } from "./tools/approve";
import { denyTool } from "./tools/deny";
import { endSessionTool } from "./tools/end-session";
import { getCostsTool } from "./tools/get-costs";
import { getDecisionImplementationStatusTool } from "./tools/get-decision-implementation-status";
import { getProjectContextTool } from "./tools/get-project-context";
import { getSessionTool } from "./tools/get-session";
import { getSolutionsTool } from "./tools/get-solutions-for-error";
import { indexFilesTool } from "./tools/index-files";
import { recordDecisionTool } from "./tools/record-decision";
import { recordErrorTool } from "./tools/record-error";
import { resolveErrorTool } from "./tools/resolve-error";
import { searchErrorsTool } from "./tools/search-errors";
import { startSessionTool } from "./tools/start-session";
import { suggestRefactorOrderTool } from "./tools/suggest-refactor-order";
import { trackFileChangeTool } from "./tools/track-file-change";
import { updateSettingsTool } from "./tools/update-settings";

/**
 * Every tool, in the order tools/list shows them. MCP registers them (server.ts) and REST generates a route for
 * each (src/http/rest-tools.ts); outside src/mcp/tools, so the HTTP edge never imports a tool file.
 */
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
