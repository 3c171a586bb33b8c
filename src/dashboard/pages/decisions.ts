import type { Hono } from "hono";
import { html } from "hono/html";
import type { DecisionView } from "../../views/records";
import { projectPath } from "../api-client";
import { layout, projectUrl, when } from "../html";
import { sendPage } from "../respond";
import type { DashEnv } from "../session";
import { chrome, projectOf } from "./chrome";
import { pagedList } from "./listing";

interface Implementation {
  completion: number;
  basis: string;
  implemented_files: string[];
  pending_files: string[];
  additional_files: string[];
}

/** Decisions: the list, newest first, and one with its rationale, alternatives and implementation progress. */
export function decisionPages(app: Hono<DashEnv>): void {
  app.get("/dashboard/t/:team/:project/decisions", async (c) => {
    const project = projectOf(c);
    const page = await chrome(c, `${project.name} decisions`, { ...project, tab: "decisions" });
    const list = await pagedList<DecisionView>(
      c,
      "decisions",
      (decision) =>
        html`<a href="${projectUrl(project, `/decisions/${decision.decision_id}`)}">${decision.decision}</a>
          <div class="muted small">
            ${when(decision.created_at)} · ${decision.user_id} · confidence ${decision.confidence}
          </div>`,
      "No decisions recorded yet.",
    );
    const body = html`<h1>Decisions</h1>
      ${list}`;
    return sendPage(c, layout(page, body));
  });

  app.get("/dashboard/t/:team/:project/decisions/:id", async (c) => {
    const project = projectOf(c);
    const base = projectPath(project.team, project.name);
    const id = encodeURIComponent(c.req.param("id"));
    const api = c.get("api");
    const [decision, progress] = await Promise.all([
      api.get<DecisionView>(`${base}/decisions/${id}`),
      api.get<Implementation>(`${base}/decisions/${id}/implementation`),
    ]);
    const page = await chrome(c, "Decision", { ...project, tab: "decisions" });
    const percent = Math.round(progress.completion * 100);
    const files = (label: string, list: string[]) =>
      list.length
        ? html`<h3>${label}</h3>
            <ul>
              ${list.map((file) => html`<li><code>${file}</code></li>`)}
            </ul>`
        : "";
    const body = html`<h1>${decision.decision}</h1>
      <p class="muted small">
        ${when(decision.created_at)} · ${decision.user_id} · confidence ${decision.confidence}
        ${decision.session_id ? html` · <a href="${projectUrl(project, `/sessions/${decision.session_id}`)}">session</a>` : ""}
        ${decision.tags.map((tag) => html` <span class="badge">${tag}</span>`)}
      </p>
      <h2>Why</h2>
      <p>${decision.rationale}</p>
      ${
        decision.alternatives.length
          ? html`<h2>Alternatives considered</h2>
              <ul>
                ${decision.alternatives.map((alternative) => html`<li>${alternative}</li>`)}
              </ul>`
          : ""
      }
      ${
        decision.impact
          ? html`<h2>Impact</h2>
              <p>${decision.impact}</p>`
          : ""
      }
      <h2>Implementation</h2>
      <p>
        <label for="progress">${percent}% done (by ${progress.basis.replace("_", " ")})</label>
        <progress id="progress" max="100" value="${percent}">${percent}%</progress>
      </p>
      ${files("Changed", progress.implemented_files)} ${files("Not changed yet", progress.pending_files)}
      ${files("Also changed", progress.additional_files)}`;
    return sendPage(c, layout(page, body));
  });
}
