import type { ToolAnnotations } from "@modelcontextprotocol/server";
import type { z } from "zod";
import type { Services } from "../composition/services";
import type { Access } from "../domain/core/access";
import type { Identity, Project } from "../domain/core/records";
import type { PendingApproval } from "../domain/llm/ports";
import type { ToolOutput } from "../views/output";

export interface ToolContext {
  services: Services;
  identity: Identity;
  project: Project;
}

export type { ToolOutput };

/** Every tool's input has project_id and user_id; the rest is the tool's own. */
export type ToolInputSchema = z.ZodObject<{
  project_id: z.ZodString;
  user_id: z.ZodOptional<z.ZodString>;
}>;

/**
 * One tool = one file exporting one of these. The zod schema is the single definition of the input for MCP
 * (advertised in tools/list and validated on call), REST (validated the same way) and TypeScript.
 */
export interface ToolDefinition<Schema extends ToolInputSchema = ToolInputSchema> {
  name: string;
  title: string;
  description: string;
  inputSchema: Schema;
  /**
   * The shape of `data` (MCP structuredContent, the REST body), advertised in tools/list as outputSchema; the MCP
   * SDK validates each result against it, and tests check every tool's results with it.
   */
  outputSchema: z.ZodObject;
  annotations: ToolAnnotations;
  /**
   * What the call needs in the project (role and credential scope): reads need an existing project; writes
   * create it on first use; admin is for settings that govern the whole team's use.
   */
  access: Access;
  /** Whether a call may create the project it names (default: for writes). Acting on existing records never does. */
  createsProject?: boolean;
  /**
   * REST route relative to /api/v1/projects/:project. `status` defaults to 201 for writes by POST (they record
   * something new) and 200 otherwise. `maxBodyBytes` raises the default request size limit for bulk routes.
   */
  rest: { method: "GET" | "POST"; path: string; status?: 200 | 201; maxBodyBytes?: number };
  run(ctx: ToolContext, input: z.output<Schema>): Promise<ToolOutput>;
}

export function defineTool<Schema extends ToolInputSchema>(tool: ToolDefinition<Schema>): ToolDefinition {
  return tool as unknown as ToolDefinition;
}

/**
 * How coding_approve runs an operation a tool held for approval (see held-operations.ts): the tool's own result
 * for it, and its text saying it was approved. The approval was taken by then, so it runs at most once.
 */
export type Resume = (ctx: ToolContext, approval: PendingApproval) => Promise<Pick<ToolOutput, "data" | "text">>;
