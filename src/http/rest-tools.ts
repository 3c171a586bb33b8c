import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../domain/core/app-error";
import { tools } from "../mcp/registry";
import { runTool } from "../mcp/run-tool";
import type { ToolDefinition } from "../mcp/tool";
import { IDEMPOTENCY_WINDOW_MS } from "../domain/core/idempotency";
import { idempotencyKey, replay } from "./idempotency";
import { limitBody, readJsonObject, type RestEnv } from "./input";

/**
 * Query strings carry only text: a converter per tool turns the fields its schema declares as numbers or
 * booleans into those types, so GET routes validate with the same schema as MCP and POST.
 */
function queryConverter(tool: ToolDefinition): (query: Record<string, string>) => Record<string, unknown> {
  const jsonSchema = z.toJSONSchema(tool.inputSchema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, { type?: string }>;
  };
  return (query) => {
    const input: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(query)) {
      const type = jsonSchema.properties?.[key]?.type;
      if ((type === "number" || type === "integer") && value.trim() !== "" && !Number.isNaN(Number(value))) {
        input[key] = Number(value);
      } else if (type === "boolean" && (value === "true" || value === "false")) {
        input[key] = value === "true";
      } else {
        input[key] = value;
      }
    }
    return input;
  };
}

/**
 * One route per tool, at its `rest` path under the project: the body (or query) and the URL's parameters are the
 * tool's input, validated and run by runTool exactly as an MCP call is, and the body of the answer is its data.
 */
export function toolRoutes(): Hono<RestEnv> {
  const api = new Hono<RestEnv>();
  for (const tool of tools) {
    const fromQuery = tool.rest.method === "GET" ? queryConverter(tool) : null;
    const path = `/projects/:project${tool.rest.path}`;
    // Bodies are refused over the limit before they are read; bulk tools (coding_index_files) set a larger one.
    if (!fromQuery) api.on(tool.rest.method, path, limitBody(tool.rest.maxBodyBytes));
    api.on(tool.rest.method, path, async (c) => {
      const base = fromQuery ? fromQuery(c.req.query()) : await readJsonObject(c);
      const project = c.req.param("project");
      if (base.project_id !== undefined && base.project_id !== project) {
        throw new AppError("invalid_input", "project_id: the body names a different project than the URL.", {
          details: { field: "project_id" },
        });
      }
      const input = { ...base, ...c.req.param(), project_id: project };
      delete (input as Record<string, unknown>).project;
      // A keyed write answered before is answered again, not written again (a retried spool event).
      const services = c.get("services");
      const identity = c.get("identity");
      const key = tool.rest.method === "POST" && tool.access !== "read" ? idempotencyKey(c) : null;
      const route = `${tool.rest.method} ${c.req.path}`;
      if (key) {
        const prior = await services.idempotency.get(
          identity.userId,
          key,
          services.runtime.now() - IDEMPOTENCY_WINDOW_MS,
        );
        if (prior) return replay(prior, route);
      }
      const output = await runTool(tool, services, identity, input);
      const status = tool.rest.status ?? (tool.rest.method === "POST" && tool.access === "write" ? 201 : 200);
      if (key) {
        await services.idempotency.put(
          identity.userId,
          key,
          { route, status, body: JSON.stringify(output.data) },
          services.runtime.now(),
        );
      }
      // The compact readable text the MCP tool returns beside its data, for terminals (`coding-memory search`):
      // asked for with Accept: text/plain; JSON stays the default.
      if (prefersText(c.req.header("Accept"))) return c.text(output.text, status);
      return c.json(output.data, status);
    });
  }
  return api;
}

/** Accept names text/plain and no JSON type before it (`*\/*` and absent headers get JSON). */
function prefersText(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(",").map((part) => part.split(";")[0]?.trim().toLowerCase() ?? "");
  const text = types.indexOf("text/plain");
  const json = types.findIndex((type) => type === "application/json" || type.endsWith("+json"));
  return text >= 0 && (json < 0 || text < json);
}
