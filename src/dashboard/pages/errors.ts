import type { Hono } from "hono";
import { html } from "hono/html";
import type { ErrorView } from "../../views/records";
import { utcDate, utcDay } from "../../domain/core/encoding";
import { projectPath } from "../api-client";
import { dayColumns } from "../charts";
import { layout, postForm, projectUrl, when, type Html } from "../html";
import { sendPage } from "../respond";
import { field, type DashEnv } from "../session";
import { chrome, mayWrite, projectOf } from "./chrome";
import type { MemoryEdges, Paged } from "./listing";

interface SearchResult {
  results: Array<
    Pick<ErrorView, "error_id" | "error_type" | "message" | "resolved" | "occurrences" | "solution" | "file_path"> & {
      why: string;
      score: number;
    }
  >;
  vector_search: { state: string; reason?: string };
  message?: string;
}
interface Screenshots {
  screenshots: Array<{
    attachment_id: string;
    content_type: string;
    created_at: string;
    analysis: { root_cause?: string | null } | null;
  }>;
}

const STATUSES = { all: undefined, open: "false", resolved: "true" } as const;
type Status = keyof typeof STATUSES;

function status(error: { resolved: boolean }): Html {
  return error.resolved ? html`<span class="badge ok">resolved</span>` : html`<span class="badge open">open</span>`;
}

function errorItem(
  project: { team: string; name: string },
  error: SearchResult["results"][number] | ErrorView,
  extra: Html | string = "",
): Html {
  return html`<li>
    <a href="${projectUrl(project, `/errors/${error.error_id}`)}"><code>${error.error_type}</code></a> ${status(error)}
    <span class="badge">${error.occurrences}×</span>
    <div>${error.message.slice(0, 240)}</div>
    ${error.solution ? html`<div class="small"><strong>Fix:</strong> ${error.solution.slice(0, 200)}</div>` : ""}
    ${extra}
  </li>`;
}

/** The last `days` UTC days up to today, each with its count (0 when not seen). */
function lastDays(seen: Array<{ date: string; count: number }>, days: number) {
  const counts = new Map(seen.map((point) => [point.date, point.count]));
  const today = utcDay(Date.now());
  return Array.from({ length: days }, (_, index) => {
    const date = utcDate(today - days + 1 + index);
    return { label: date, value: counts.get(date) ?? 0 };
  });
}

/** Errors: the list or a search (the tool's own search, with its `why`), one error in full, and its curation. */
export function errorPages(app: Hono<DashEnv>): void {
  app.get("/dashboard/t/:team/:project/errors", async (c) => {
    const project = projectOf(c);
    const base = projectPath(project.team, project.name);
    const api = c.get("api");
    const query = (c.req.query("q") ?? "").trim();
    const chosen = (c.req.query("status") ?? "all") as Status;
    const filter: Status = chosen in STATUSES ? chosen : "all";
    const page = await chrome(c, `${project.name} errors`, { ...project, tab: "errors" });
    let results: Html;
    if (query) {
      const found = await api.send<SearchResult>("POST", `${base}/errors/search`, {
        query,
        k: 20,
        resolved_only: filter === "resolved",
      });
      const hits = filter === "open" ? found.results.filter((hit) => !hit.resolved) : found.results;
      results = html`<p class="muted small" role="status">
          ${hits.length} found · vector search
          ${found.vector_search.state}${found.vector_search.reason ? `: ${found.vector_search.reason}` : ""}
        </p>
        <ol class="list">
          ${hits.map((hit) => errorItem(project, hit, html`<div class="why">Why: ${hit.why}</div>`))}
        </ol>`;
    } else {
      const listing = await api.get<Paged<ErrorView>>(`${base}/errors`, {
        limit: 50,
        resolved: STATUSES[filter],
        cursor: c.req.query("cursor"),
      });
      const next = listing.next_cursor
        ? projectUrl(project, `/errors?${new URLSearchParams({ status: filter, cursor: listing.next_cursor })}`)
        : null;
      results = html`<ul class="list">
          ${listing.items.map((error) => errorItem(project, error, html`<div class="muted small">last seen ${when(error.last_seen)}</div>`))}
        </ul>
        ${listing.items.length ? "" : html`<p class="muted">No errors here yet.</p>`}
        ${next ? html`<p class="pager"><a href="${next}">Older errors</a></p>` : ""}`;
    }
    const body = html`<h1>Errors</h1>
      <form method="get" action="${projectUrl(project, "/errors")}" role="search">
        <div class="row">
          <div>
            <label for="q">Search: paste an error, a stack trace or describe it</label>
            <input id="q" name="q" type="search" value="${query}" />
          </div>
          <div>
            <label for="status">Show</label>
            <select id="status" name="status">
              ${(Object.keys(STATUSES) as Status[]).map(
                (key) => html`<option value="${key}" ${key === filter ? "selected" : ""}>${key}</option>`,
              )}
            </select>
          </div>
          <div><button type="submit">Search</button></div>
        </div>
      </form>
      ${results}`;
    return sendPage(c, layout(page, body));
  });

  app.get("/dashboard/t/:team/:project/errors/:id", async (c) => {
    const project = projectOf(c);
    const base = projectPath(project.team, project.name);
    const api = c.get("api");
    const id = encodeURIComponent(c.req.param("id"));
    const [error, shots, seen, curate] = await Promise.all([
      api.get<ErrorView & { occurrences_by_day: Array<{ date: string; count: number }> }>(`${base}/errors/${id}`),
      api.get<Screenshots>(`${base}/errors/${id}/screenshots`),
      api.get<MemoryEdges>(`${base}/graph/edges`, {
        node: `error:${c.req.param("id")}`,
        relation: "occurred_in",
        limit: 50,
      }),
      mayWrite(c, project.team),
    ]);
    const page = await chrome(c, `${error.error_type} · ${project.name}`, { ...project, tab: "errors" });
    const action = projectUrl(project, `/errors/${id}`);
    const sessions = seen.edges.filter((edge) => edge.from.type === "error" && edge.to.type === "session");
    const body = html`<h1><code>${error.error_type}</code> ${status(error)}</h1>
      <p>${error.message}</p>
      <p class="muted small">
        ${error.occurrences}× · first seen ${when(error.first_seen)} · last seen ${when(error.last_seen)} ·
        ${error.source === "ci" ? `CI ${error.last_ci_job ?? ""} ${error.last_commit?.slice(0, 10) ?? ""}` : `recorded by ${error.user_id}`}
        ${error.file_path ? html` · <code>${error.file_path}${error.line_number ? `:${error.line_number}` : ""}</code>` : ""}
        ${error.tags.length ? html` · ${error.tags.map((tag) => html`<span class="badge">${tag}</span> `)}` : ""}
      </p>
      <h2>Seen per day, last 30 days</h2>
      ${dayColumns(lastDays(error.occurrences_by_day, 30), { title: "Sightings per day" })}
      <h2>Solution</h2>
      ${
        curate
          ? postForm(
              action,
              page.csrf,
              html`<label for="solution">What fixed it</label>
                <textarea id="solution" name="solution">${error.solution ?? ""}</textarea>
                <div class="row">
                  <div>
                    <button type="submit" name="action" value="save">Save solution</button>
                    ${
                      error.resolved
                        ? html`<button type="submit" name="action" value="reopen">Mark open again</button>`
                        : html`<button class="primary" type="submit" name="action" value="resolve">
                            Save and mark resolved
                          </button>`
                    }
                  </div>
                </div>`,
              { label: "Solution" },
            )
          : html`${error.solution ? html`<pre>${error.solution}</pre>` : html`<p class="muted">None yet.</p>`}
              <p class="muted small">Your role lets you read this project; a member or admin can edit it.</p>`
      }
      <h2>Stack trace</h2>
      ${
        error.stack_trace
          ? html`<pre><code>${error.stack_trace}</code></pre>
              ${error.stack_trace_truncated ? html`<p class="muted small">Cut in the middle when recorded.</p>` : ""}`
          : html`<p class="muted">None recorded.</p>`
      }
      <h2>Seen in sessions</h2>
      ${
        sessions.length
          ? html`<ul class="list">
              ${sessions.map(
                (edge) =>
                  html`<li>
                    <a href="${projectUrl(project, `/sessions/${edge.to.id}`)}">${edge.to.id}</a> ·
                    ${when(edge.created_at)}
                  </li>`,
              )}
            </ul>`
          : html`<p class="muted">
              Not linked to any coding session (recorded by CI, an import, or outside a session).
            </p>`
      }
      <h2>Screenshots</h2>
      ${
        shots.screenshots.length
          ? shots.screenshots.map(
              (shot) =>
                html`<figure>
                  <img
                    src="${projectUrl(project, `/attachments/${shot.attachment_id}`)}"
                    alt="Screenshot of the error, ${shot.created_at}"
                    width="480"
                  />
                  ${shot.analysis?.root_cause ? html`<figcaption>${shot.analysis.root_cause}</figcaption>` : ""}
                </figure>`,
            )
          : html`<p class="muted">None.</p>`
      }`;
    return sendPage(c, layout(page, body));
  });

  app.post("/dashboard/t/:team/:project/errors/:id", async (c) => {
    const project = projectOf(c);
    const action = field(c, "action");
    const solution = field(c, "solution");
    const body =
      action === "reopen" ? { resolved: false } : action === "resolve" ? { solution, resolved: true } : { solution };
    await c
      .get("api")
      .send(
        "PATCH",
        `${projectPath(project.team, project.name)}/errors/${encodeURIComponent(c.req.param("id"))}`,
        body,
      );
    const notice = action === "reopen" ? "reopened" : action === "resolve" ? "resolved" : "saved";
    return c.redirect(projectUrl(project, `/errors/${encodeURIComponent(c.req.param("id"))}?notice=${notice}`), 303);
  });

  // Screenshots are API attachments (bearer only); the page shows them through its own session.
  app.get("/dashboard/t/:team/:project/attachments/:id", async (c) => {
    const project = projectOf(c);
    const upstream = await c
      .get("api")
      .raw(`${projectPath(project.team, project.name)}/attachments/${encodeURIComponent(c.req.param("id"))}`);
    return new Response(upstream.body, {
      headers: {
        "Content-Type": upstream.headers.get("Content-Type") ?? "application/octet-stream",
        "Cache-Control": "private, max-age=3600",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'",
      },
    });
  });
}
