import { Hono } from "hono";
import { z } from "zod";
import { LIMITS } from "../domain/core/limits";
import { decisionView, errorView } from "../views/records";
import { member, validQuery, type RestEnv } from "./input";

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

const lessonsQuery = z.object({
  path: z.string().min(1).max(LIMITS.filePathChars).describe("The file, as a repository path."),
});

/** Code index: the manifest lets a client upload only what changed; the graph dumps serve tooling and benches. */
export function codeGraphRoutes(): Hono<RestEnv> {
  const api = new Hono<RestEnv>();
  api.get("/projects/:project/files", member(), async (c) => {
    const files = await c.get("services").code.manifest(c.get("project"));
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
  api.get("/projects/:project/code/graph", member(), async (c) => {
    const graph = await c.get("services").code.graph(c.get("project"));
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
  // What the team learned about one file: hooks hand it to the assistant the first time it edits the file.
  api.get("/projects/:project/files/lessons", member(), validQuery(lessonsQuery), async (c) => {
    const { path } = c.req.valid("query");
    const lessons = await c.get("services").context.fileLessons(c.get("project"), path);
    return c.json({ path, errors: lessons.errors.map(errorView), decisions: lessons.decisions.map(decisionView) });
  });
  // Every relation of the project's memory graph, with the code index's imports among them (domain/context).
  api.get("/projects/:project/graph/edges", member(), validQuery(edgeQuery), async (c) => {
    const project = c.get("project");
    const { node, relation, limit, cursor } = c.req.valid("query");
    const page = await c.get("services").context.graphEdges(project, {
      node,
      relation: relation ?? null,
      cursor: cursor ?? null,
      limit,
    });
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
  return api;
}
