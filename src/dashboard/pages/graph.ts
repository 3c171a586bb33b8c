import type { Hono } from "hono";
import { html } from "hono/html";
import { plural } from "../../domain/core/plural";
import { projectPath } from "../api-client";
import { drawGraph, neighbourhood, type ImportGraph } from "../graph-drawing";
import { layout, projectUrl } from "../html";
import { sendPage } from "../respond";
import type { DashEnv } from "../session";
import { chrome, projectOf } from "./chrome";

interface Impact {
  file_path: string;
  direct_dependents: string[];
  affected_count: number;
  max_distance: number;
  tests_to_run: string[];
  cycle_group: string[];
  risk_level: string;
  recommendations: string[];
}

/** The code graph: cycles and the most imported files, or one file's imports and importers with its refactor impact. */
export function graphPages(app: Hono<DashEnv>): void {
  app.get("/dashboard/t/:team/:project/graph", async (c) => {
    const project = projectOf(c);
    const base = projectPath(project.team, project.name);
    const api = c.get("api");
    const file = (c.req.query("file") ?? "").trim();
    const depth = c.req.query("depth") === "2" ? 2 : 1;
    const graph = await api.get<ImportGraph>(`${base}/code/graph`);
    const page = await chrome(c, `${project.name} code graph`, { ...project, tab: "graph" });
    const href = (path: string) =>
      projectUrl(project, `/graph?${new URLSearchParams({ file: path, depth: String(depth) })}`);
    const importers = new Map<string, number>();
    for (const edge of graph.edges) importers.set(edge.to, (importers.get(edge.to) ?? 0) + 1);
    const picker = html`<form method="get" action="${projectUrl(project, "/graph")}">
      <div class="row">
        <div>
          <label for="file">File</label
          ><input id="file" name="file" type="text" value="${file}" list="files" placeholder="src/…" />
        </div>
        <div>
          <label for="depth">Steps</label>
          <select id="depth" name="depth">
            <option value="1" ${depth === 1 ? "selected" : ""}>1</option>
            <option value="2" ${depth === 2 ? "selected" : ""}>2</option>
          </select>
        </div>
        <div><button type="submit">Show</button></div>
      </div>
      <datalist id="files">
        ${graph.files.slice(0, 2000).map((path) => html`<option value="${path}"></option>`)}
      </datalist>
    </form>`;
    if (!graph.files.length) {
      const body = html`<h1>Code graph</h1>
        <p class="muted">
          No code indexed yet: run <code>coding-memory index</code> in the repository (see the README).
        </p>`;
      return sendPage(c, layout(page, body));
    }
    if (!file) {
      const top = [...importers].sort((a, b) => b[1] - a[1]).slice(0, 15);
      const body = html`<h1>Code graph</h1>
        <p class="muted">
          ${graph.files.length} files, ${graph.edges.length} imports, ${graph.cycle_groups.length} import cycles.
        </p>
        ${picker}
        <h2>Import cycles</h2>
        ${
          graph.cycle_groups.length
            ? html`<ul class="list">
                ${graph.cycle_groups.map(
                  (group) =>
                    html`<li>
                      ${group.type_only ? html`<span class="badge">types only</span> ` : html`<span class="badge open">runtime</span> `}
                      ${group.files.map((path) => html`<a href="${href(path)}"><code>${path}</code></a> `)}
                    </li>`,
                )}
              </ul>`
            : html`<p class="muted">None.</p>`
        }
        <h2>Most imported files</h2>
        <ul class="list">
          ${top.map(
            ([path, n]) =>
              html`<li>
                <a href="${href(path)}"><code>${path}</code></a> · imported by ${n}
              </li>`,
          )}
        </ul>`;
      return sendPage(c, layout(page, body));
    }
    const impact = await api.get<Impact>(`${base}/code/impact`, { file_path: file });
    const around = neighbourhood(graph, impact.file_path, depth);
    const body = html`<h1>Code graph: <code>${impact.file_path}</code></h1>
      ${picker}
      <p class="muted small">
        Importers on the left, imports on the right; red arrows are an import cycle, dashed ones import types only.
        Select a file to centre on it.${around.omitted ? ` ${around.omitted} more files are not drawn.` : ""}
      </p>
      <div class="scroll">${drawGraph(around, href)}</div>
      <h2>
        Refactor impact
        <span class="badge ${impact.risk_level === "high" ? "open" : impact.risk_level === "medium" ? "warn" : "ok"}"
          >${impact.risk_level} risk</span
        >
      </h2>
      <p>
        ${impact.direct_dependents.length} files import it directly; ${impact.affected_count} are affected in all (up to
        ${impact.max_distance} steps away).
      </p>
      ${impact.cycle_group.length ? html`<p class="problem">It is in an import cycle with ${plural(impact.cycle_group.length - 1, "other file")}.</p>` : ""}
      ${
        impact.recommendations.length
          ? html`<ul>
              ${impact.recommendations.map((line) => html`<li>${line}</li>`)}
            </ul>`
          : ""
      }
      ${
        impact.tests_to_run.length
          ? html`<h3>Tests to run</h3>
              <ul>
                ${impact.tests_to_run.slice(0, 30).map((path) => html`<li><code>${path}</code></li>`)}
              </ul>`
          : ""
      }`;
    return sendPage(c, layout(page, body));
  });
}
