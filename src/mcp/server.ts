import {
  McpServer,
  type CallToolResult,
  type InputRequiredResult,
  type ServerContext,
} from "@modelcontextprotocol/server";
import type { Services } from "../composition/services";
import { toAppError } from "../domain/core/app-error";
import type { Identity } from "../domain/core/records";
import { advertisedInputSchema, advertisedOutputSchema, compactAnnotations, sharedFieldsNote } from "./advertised";
import { approvalAnswer, askForApproval, canElicit } from "./approvals";
import { registerPromptsAndResources } from "./catalogue";
import { runTool } from "./run-tool";
import { projectIdField } from "./schema";
import type { ToolOutput } from "./tool";
import { tools } from "./registry";
import { approveTool } from "./tools/approve";
import { denyTool } from "./tools/deny";

export const SERVER_INFO = { name: "coding-memory", version: "0.1.0" } as const;

/**
 * A fresh MCP server per request, bound to the authenticated caller. The transport is stateless: anything
 * that must outlive a request (the active coding session) lives in the ProjectSession Durable Object.
 */
export function buildMcpServer(services: Services, identity: Identity): McpServer {
  const server = new McpServer(SERVER_INFO, {
    instructions:
      "Coding Memory keeps a team's shared memory of a project: errors and their fixes, design decisions, " +
      "coding sessions and file changes. Search errors before debugging (coding_search_errors), record errors " +
      "and decisions as they happen, and read coding_get_project_context at the start of work. " +
      sharedFieldsNote(projectIdField.description),
  });
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        // Advertised compact; validated by runTool with the zod schema (one message format for MCP and REST).
        inputSchema: advertisedInputSchema(tool.inputSchema),
        outputSchema: advertisedOutputSchema(tool.outputSchema),
        annotations: compactAnnotations(tool.annotations),
      },
      async (args: unknown, ctx: ServerContext): Promise<CallToolResult | InputRequiredResult> => {
        try {
          // The retry of an elicitation round: the user decided in their client; act on the held approval.
          const answer = approvalAnswer(ctx);
          if (answer) {
            const decision = await runTool(answer.approve ? approveTool : denyTool, services, identity, {
              project_id: (args as { project_id?: unknown } | null)?.project_id,
              approval_id: answer.state.approvalId,
            });
            return result({
              data: { ...(answer.state.data ?? {}), approval_decision: decision.data },
              text: `${answer.state.text}\n\n${decision.text}`,
            });
          }
          const output = await runTool(tool, services, identity, args);
          if (output.approval && canElicit(ctx)) return askForApproval(output.approval, output);
          return result(output);
        } catch (thrown) {
          const error = toAppError(thrown);
          if (error.code === "internal") console.error(`tool ${tool.name} failed`, error.cause ?? error);
          return {
            isError: true,
            content: [{ type: "text", text: `${tool.name} failed (${error.code}): ${error.message}` }],
            structuredContent: { error: { code: error.code, message: error.message, details: error.details ?? {} } },
          };
        }
      },
    );
  }
  registerPromptsAndResources(server, services, identity);
  return server;
}

function result(output: Pick<ToolOutput, "data" | "text">): CallToolResult {
  return { content: [{ type: "text", text: output.text }], structuredContent: output.data };
}
