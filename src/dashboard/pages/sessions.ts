import type { Hono } from "hono";
import { html } from "hono/html";
import type { SessionView } from "../../views/records";
import { projectPath } from "../api-client";
import { layout, projectUrl, when } from "../html";
import { sendPage } from "../respond";
import type { DashEnv } from "../session";
import { chrome, projectOf } from "./chrome";
import { pagedList, type MemoryEdges } from "./listing";

const RELATION_TEXT: Record<string, string> = { occurred_in: "error seen", resolved_in: "error fixed" };

/** Coding sessions: the list, and one with its summary (AI or digest) and what happened in it, in time order. */
export function sessionPages(app: Hono<DashEnv>): void {
  app.get("/dashboard/t/:team/:project/sessions", async (c) => {
    const project = projectOf(c);
    const page = await chrome(c, `${project.name} sessions`, { ...project, tab: "sessions" });
    const list = await pagedList<SessionView>(
      c,
      "sessions",
      (session) =>
        html`<a href="${projectUrl(project, `/sessions/${session.session_id}`)}"
            >${session.description || "(no description)"}</a
          >
          <span class="badge">${session.status}</span>
          <div class="muted small">${session.user_id} · ${when(session.started_at)} → ${when(session.ended_at)}</div>`,
      "No coding sessions yet.",
    );
    const body = html`<h1>Sessions</h1>
      ${list}`;
    return sendPage(c, layout(page, body));
  });

  app.get("/dashboard/t/:team/:project/sessions/:id", async (c) => {
    const project = projectOf(c);
    const base = projectPath(project.team, project.name);
    const api = c.get("api");
    const id = c.req.param("id");
    const [session, linked] = await Promise.all([
      api.get<SessionView>(`${base}/sessions/${encodeURIComponent(id)}`),
      api.get<MemoryEdges>(`${base}/graph/edges`, { node: `session:${id}`, limit: 200 }),
    ]);
    const page = await chrome(c, "Session", { ...project, tab: "sessions" });
    const events = [...linked.edges].sort((a, b) => (a.created_at ?? "").localeCompare(b.created_at ?? ""));
    const body = html`<h1>${session.description || "Session"}</h1>
      <p class="muted small">
        <span class="badge">${session.status}</span> ${session.user_id} · ${when(session.started_at)} →
        ${when(session.ended_at)}
        ${session.success === null ? "" : session.success ? " · succeeded" : " · did not succeed"}
        ${session.tags.map((tag) => html` <span class="badge">${tag}</span>`)}
      </p>
      <h2>Summary ${session.summary_source ? html`<span class="badge">${session.summary_source}</span>` : ""}</h2>
      ${session.summary ? html`<pre>${session.summary}</pre>` : html`<p class="muted">No summary yet (written when the session ends).</p>`}
      ${session.summary_error ? html`<p class="problem">AI summary not written: ${session.summary_error}</p>` : ""}
      <h2>Timeline</h2>
      ${
        events.length
          ? html`<ol class="list">
              ${events.map((edge) => {
                const other = edge.from.type === "session" ? edge.to : edge.from;
                const href =
                  other.type === "error"
                    ? projectUrl(project, `/errors/${other.id}`)
                    : other.type === "decision"
                      ? projectUrl(project, `/decisions/${other.id}`)
                      : null;
                return html`<li>
                  ${when(edge.created_at)} · ${RELATION_TEXT[edge.relation] ?? edge.relation.replace("_", " ")} ·
                  ${href ? html`<a href="${href}">${other.type} ${other.id.slice(0, 8)}</a>` : html`${other.type} ${other.id}`}
                </li>`;
              })}
            </ol>`
          : html`<p class="muted">Nothing linked to this session.</p>`
      }`;
    return sendPage(c, layout(page, body));
  });
}
