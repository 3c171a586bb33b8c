import type { Hono } from "hono";
import { html } from "hono/html";
import type { DecisionView, FileChangeView, SessionView } from "../../views/records";
import { projectPath } from "../api-client";
import { layout, projectUrl, when, type Html } from "../html";
import { sendPage } from "../respond";
import type { DashEnv } from "../session";
import { chrome, projectOf } from "./chrome";
import { pagedList, type MemoryEdges, type Paged } from "./listing";

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
    const inSession = { limit: 200, session_id: id };
    const [session, linked, changes, decisions] = await Promise.all([
      api.get<SessionView>(`${base}/sessions/${encodeURIComponent(id)}`),
      api.get<MemoryEdges>(`${base}/graph/edges`, { node: `session:${id}`, limit: 200 }),
      api.get<Paged<FileChangeView>>(`${base}/changes`, inSession),
      api.get<Paged<DecisionView>>(`${base}/decisions`, inSession),
    ]);
    const page = await chrome(c, "Session", { ...project, tab: "sessions" });
    const events: Array<{ at: string; what: Html }> = [
      ...linked.edges.map((edge) => {
        const other = edge.from.type === "session" ? edge.to : edge.from;
        const label = `${RELATION_TEXT[edge.relation] ?? edge.relation.replace("_", " ")}: ${other.type} ${other.id.slice(0, 8)}`;
        const what =
          other.type === "error"
            ? html`<a href="${projectUrl(project, `/errors/${other.id}`)}">${label}</a>`
            : html`${label}`;
        return { at: edge.created_at ?? "", what };
      }),
      ...changes.items.map((change) => ({
        at: change.created_at,
        what: html`${change.action} <code>${change.file_path}</code>${change.reason ? ` — ${change.reason}` : ""}`,
      })),
      ...decisions.items.map((decision) => ({
        at: decision.created_at,
        what: html`decided:
          <a href="${projectUrl(project, `/decisions/${decision.decision_id}`)}">${decision.decision}</a>`,
      })),
    ].sort((a, b) => a.at.localeCompare(b.at));
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
              ${events.map((event) => html`<li>${when(event.at)} · ${event.what}</li>`)}
            </ol>`
          : html`<p class="muted">Nothing recorded in this session.</p>`
      }`;
    return sendPage(c, layout(page, body));
  });
}
