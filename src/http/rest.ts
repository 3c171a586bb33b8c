import { Hono, type Context } from "hono";
import { z } from "zod";

import { analysisResultView } from "../views/screenshots";
import { attachmentView } from "../views/attachments";
import { diagramView } from "../views/diagrams";
import { decisionView, errorView, fileChangeView, pageView, sessionView } from "../views/records";
import type { Services } from "../composition/services";
import type { Access } from "../domain/core/access";
import { AppError } from "../domain/core/app-error";
import { ATTACHMENT_LIMITS } from "../domain/screenshots/attachments";
import { decodeEdgeCursor, edgePage, importEdges } from "../domain/context/graph-edges";
import { LIMITS } from "../domain/core/limits";
import type { Identity, Page, Project } from "../domain/core/records";
import { invalidInput, runTool } from "../mcp/run-tool";
import { projectIdField, recordErrorInput } from "../mcp/schema";
import type { ToolDefinition } from "../mcp/tool";
import { tools } from "../mcp/registry";

export type RestEnv = { Variables: { services: Services; identity: Identity } };

/** Reads a JSON object body within the size limit; anything else is a 4xx naming the problem. */
export async function readJsonObject(
  c: Context,
  limit: number = LIMITS.requestBodyBytes,
): Promise<Record<string, unknown>> {
  const declared = Number(c.req.header("Content-Length") ?? "0");
  const text = declared > limit ? "" : await c.req.text();
  if (declared > limit || new TextEncoder().encode(text).length > limit) {
    throw new AppError("payload_too_large", `body: over ${limit} bytes; send smaller batches.`, {
      details: { field: "body", limit },
    });
  }
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new AppError("invalid_input", "body: malformed JSON.", { details: { field: "body" }, cause });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AppError("invalid_input", "body: expected a JSON object.", { details: { field: "body" } });
  }
  return parsed as Record<string, unknown>;
}

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

const reindexBody = z.object({
  only_pending: z.boolean().default(false).describe("Queue only errors without a vector from the current model."),
});

/** At most this many errors per import request: one D1 batch. */
export const MAX_IMPORT_ERRORS = 100;

const importBody = z.object({
  errors: z
    .array(
      recordErrorInput
        .omit({ project_id: true, user_id: true, screenshot: true, screenshot_text: true, analyze: true })
        .extend({ error_type: z.string().min(1).max(256), message: z.string().min(1).max(LIMITS.messageChars) })
        .strict(),
    )
    .min(1)
    .max(MAX_IMPORT_ERRORS)
    .describe("Errors in coding_record_error's shape."),
});

const diagramListQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });

const edgeQuery = z.object({
  node: z
    .string()
    .max(LIMITS.filePathChars + 16)
    .regex(/^[a-z_]+:.+$/, "node must look like type:id, e.g. error:<id> or file:src/auth.py")
    .optional()
    .transform((value) => {
      if (!value) return null;
      const colon = value.indexOf(":");
      return { type: value.slice(0, colon), id: value.slice(colon + 1) };
    }),
  relation: z
    .string()
    .regex(/^[a-z_]+$/, "relation must be a relation name such as solved_by")
    .optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(100),
  // A cursor holds the last edge's id, which for an import is two paths.
  cursor: z
    .string()
    .max(4 * LIMITS.filePathChars + 64)
    .optional(),
});

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50),
  cursor: z.string().max(512).optional(),
  resolved: z.enum(["true", "false"]).optional(),
});

export function restRoutes(): Hono<RestEnv> {
  const api = new Hono<RestEnv>();

  for (const tool of tools) {
    const fromQuery = tool.rest.method === "GET" ? queryConverter(tool) : null;
    api.on(tool.rest.method, `/projects/:project${tool.rest.path}`, async (c) => {
      const base = fromQuery ? fromQuery(c.req.query()) : await readJsonObject(c, tool.rest.maxBodyBytes);
      const project = c.req.param("project");
      if (base.project_id !== undefined && base.project_id !== project) {
        throw new AppError("invalid_input", "project_id: the body names a different project than the URL.", {
          details: { field: "project_id" },
        });
      }
      const input = { ...base, ...c.req.param(), project_id: project };
      delete (input as Record<string, unknown>).project;
      const output = await runTool(tool, c.get("services"), c.get("identity"), input);
      return c.json(
        output.data,
        tool.rest.status ?? (tool.rest.method === "POST" && tool.access === "write" ? 201 : 200),
      );
    });
  }

  // Listings answer the same views as the tools (snake_case, ISO times, no internals), a page at a time.
  const listing = <T, V>(
    path: string,
    list: (c: Context<RestEnv>, project: Project, page: z.output<typeof pageQuery>) => Promise<Page<T>>,
    view: (item: T) => V,
  ) =>
    api.get(`/projects/:project/${path}`, async (c) => {
      const slug = projectIdField.safeParse(c.req.param("project"));
      if (!slug.success) throw invalidInput(slug.error);
      const page = pageQuery.safeParse(c.req.query());
      if (!page.success) throw invalidInput(page.error);
      const project = await c.get("services").memory.resolveProject(c.get("identity"), slug.data, "read");
      const result = await list(c, project, page.data);
      return c.json(pageView(result, view));
    });

  listing(
    "sessions",
    (c, project, page) =>
      c.get("services").memory.listSessions(project, { limit: page.limit, cursor: page.cursor ?? null }),
    sessionView,
  );
  listing(
    "errors",
    (c, project, page) =>
      c.get("services").memory.listErrors(project, {
        limit: page.limit,
        cursor: page.cursor ?? null,
        ...(page.resolved ? { resolved: page.resolved === "true" } : {}),
      }),
    errorView,
  );
  listing(
    "decisions",
    (c, project, page) =>
      c.get("services").memory.listDecisions(project, { limit: page.limit, cursor: page.cursor ?? null }),
    decisionView,
  );
  listing(
    "changes",
    (c, project, page) =>
      c.get("services").memory.listChanges(project, { limit: page.limit, cursor: page.cursor ?? null }),
    fileChangeView,
  );

  // Vector index maintenance. Operator commands rather than MCP tools, so the tool list stays small.
  const memberProject = async (c: Context<RestEnv>, access: Access = "read"): Promise<Project> => {
    const slug = projectIdField.safeParse(c.req.param("project"));
    if (!slug.success) throw invalidInput(slug.error);
    return c.get("services").memory.resolveProject(c.get("identity"), slug.data, access, { create: false });
  };
  api.post("/projects/:project/errors/reindex", async (c) => {
    const project = await memberProject(c, "write");
    const body = reindexBody.safeParse(await readJsonObject(c));
    if (!body.success) throw invalidInput(body.error);
    const result = await c.get("services").indexer.reindexProject(project.id, { onlyPending: body.data.only_pending });
    return c.json(
      { model: result.model, queued: result.queued, jobs: result.jobs, only_pending: body.data.only_pending },
      202,
    );
  });
  // Bulk import (history from another tool, a CI run): one atomic batch, no session links or suggestions.
  api.post("/projects/:project/errors/import", async (c) => {
    const slug = projectIdField.safeParse(c.req.param("project"));
    if (!slug.success) throw invalidInput(slug.error);
    const body = importBody.safeParse(await readJsonObject(c));
    if (!body.success) throw invalidInput(body.error);
    const services = c.get("services");
    const project = await services.memory.resolveProject(c.get("identity"), slug.data, "write");
    await services.limitWrites(c.get("identity"));
    const { results, redactions } = await services.memory.importErrors(
      c.get("identity"),
      project,
      body.data.errors.map((error) => ({
        errorType: error.error_type,
        message: error.message,
        stackTrace: error.stack_trace ?? null,
        filePath: error.file_path ?? null,
        lineNumber: error.line_number ?? null,
        solution: error.solution ?? null,
        tags: error.tags,
      })),
    );
    return c.json(
      {
        imported: results.length,
        created: results.filter((result) => result.inserted).length,
        results: results.map(({ error, inserted }) => ({
          error_id: error.id,
          recurring: !inserted,
          occurrences: error.occurrences,
        })),
        redactions,
      },
      201,
    );
  });
  // Code index: the manifest lets a client upload only what changed; the graph dump serves tooling and benches.
  api.get("/projects/:project/files", async (c) => {
    const project = await memberProject(c);
    const files = await c.get("services").code.manifest(project);
    return c.json({
      files: files.map((file) => ({
        path: file.path,
        hash: file.hash,
        language: file.language,
        parse_error: file.parseError,
        indexed_at: new Date(file.indexedAt).toISOString(),
      })),
      count: files.length,
    });
  });
  api.get("/projects/:project/code/graph", async (c) => {
    const project = await memberProject(c);
    const graph = await c.get("services").code.graph(project);
    const { snapshot } = graph;
    const name = (index: number) => snapshot.files[index] as string;
    const groups = graph.cycleGroups();
    return c.json({
      generation: snapshot.generation,
      files: snapshot.files,
      edges: snapshot.edges.map(([from, to]) => ({
        from: name(from),
        to: name(to),
        kinds: graph.kindsOf(name(from), name(to)),
      })),
      external: snapshot.external.map(([from, packageName]) => ({ from: name(from), name: packageName })),
      unresolved: snapshot.unresolved.map(([from, specifier]) => ({ from: name(from), specifier })),
      assets: snapshot.assets.map(([from, specifier]) => ({ from: name(from), specifier })),
      parse_errors: snapshot.parseErrors.map(([file, reason]) => ({ path: name(file), reason })),
      config_files: snapshot.configFiles,
      // One concrete cycle per cycle group; cycle_groups[i] lists every file of the group cycles[i] runs through.
      cycles: groups.map((group) => group.cycle),
      cycle_groups: groups,
    });
  });
  api.get("/projects/:project/graph/edges", async (c) => {
    const project = await memberProject(c);
    const query = edgeQuery.safeParse(c.req.query());
    if (!query.success) throw invalidInput(query.error);
    const { node, relation, limit, cursor } = query.data;
    const after = cursor ? decodeEdgeCursor(cursor) : null;
    const services = c.get("services");
    // One more than asked for from every source tells whether the listing goes on after this page.
    const candidates = await services.memory.graphEdges(project, {
      node,
      relation: relation ?? null,
      after,
      limit: limit + 1,
    });
    if ((relation === undefined || relation === "imports") && (node === null || node.type === "file")) {
      const graph = await services.code.graph(project);
      candidates.push(...importEdges(graph, node ? node.id : null, after, limit + 1));
    }
    const page = edgePage(candidates, limit);
    return c.json({
      edges: page.edges.map((edge) => ({
        from: edge.from,
        relation: edge.relation,
        to: edge.to,
        ...(edge.createdAt ? { created_at: new Date(edge.createdAt).toISOString() } : {}),
        ...(edge.label !== undefined ? { label: edge.label } : {}),
      })),
      truncated: page.nextCursor !== null,
      next_cursor: page.nextCursor,
    });
  });
  // Screenshots: upload (multipart `file`, or the raw image as the body) and read back, members only.
  api.post("/projects/:project/attachments", async (c) => {
    const slug = projectIdField.safeParse(c.req.param("project"));
    if (!slug.success) throw invalidInput(slug.error);
    const services = c.get("services");
    const identity = c.get("identity");
    const project = await services.memory.resolveProject(identity, slug.data, "write");
    await services.limitWrites(identity);
    if (Number(c.req.header("Content-Length") ?? "0") > ATTACHMENT_LIMITS.bytes + 64 * 1024) {
      throw new AppError("payload_too_large", `file: images are limited to ${ATTACHMENT_LIMITS.bytes} bytes.`, {
        details: { field: "file", limit: ATTACHMENT_LIMITS.bytes },
      });
    }
    let bytes: Uint8Array;
    if ((c.req.header("Content-Type") ?? "").startsWith("multipart/form-data")) {
      const file = (await c.req.formData()).get("file");
      if (!file || typeof file === "string") {
        throw new AppError("invalid_input", "file: send the image in a multipart field named file.", {
          details: { field: "file" },
        });
      }
      bytes = new Uint8Array(await file.arrayBuffer());
    } else {
      bytes = new Uint8Array(await c.req.arrayBuffer());
    }
    const attachment = await services.attachments.store(identity, project, bytes, "upload");
    return c.json({ ...attachmentView(project, attachment), sha256: attachment.sha256 }, 201);
  });
  api.get("/projects/:project/attachments/:id", async (c) => {
    const project = await memberProject(c);
    const { attachment, bytes } = await c.get("services").attachments.read(project, c.req.param("id"));
    return new Response(bytes, {
      headers: {
        "Content-Type": attachment.contentType,
        "Cache-Control": "private, max-age=3600",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'",
      },
    });
  });
  // Architecture diagrams read for the project (coding_analyze_diagram), newest first.
  api.get("/projects/:project/diagrams", async (c) => {
    const project = await memberProject(c);
    const query = diagramListQuery.safeParse(c.req.query());
    if (!query.success) throw invalidInput(query.error);
    // One more than asked says whether the list was cut.
    const diagrams = await c.get("services").architecture.list(project, query.data.limit + 1);
    return c.json({
      diagrams: diagrams.slice(0, query.data.limit).map(diagramView),
      truncated: diagrams.length > query.data.limit,
    });
  });
  api.get("/projects/:project/diagrams/:diagram_id", async (c) => {
    const project = await memberProject(c);
    const diagram = await c.get("services").architecture.get(project, c.req.param("diagram_id"));
    return c.json({ ...diagramView(diagram), source_text: diagram.sourceText });
  });
  // The screenshots of an error, each with what it was read as (vision model or OCR).
  api.get("/projects/:project/errors/:error_id/screenshots", async (c) => {
    const project = await memberProject(c);
    const services = c.get("services");
    const errorId = c.req.param("error_id");
    if (!(await services.memory.getError(project, errorId))) {
      throw new AppError("not_found", `error_id: error ${errorId} not found in project ${project.slug}.`, {
        details: { field: "error_id" },
      });
    }
    const screenshots = await services.attachments.forError(project, errorId);
    return c.json({
      error_id: errorId,
      screenshots: screenshots.map((screenshot) => ({
        ...attachmentView(project, screenshot),
        created_at: new Date(screenshot.createdAt).toISOString(),
        analysis: screenshot.analysis && analysisResultView(screenshot.analysis),
      })),
    });
  });
  api.get("/projects/:project/errors/index-status", async (c) => {
    const project = await memberProject(c);
    return c.json(await c.get("services").indexer.status(project.id));
  });
  return api;
}
