import type { Hono } from "hono";
import { html } from "hono/html";
import type { ErrorView } from "../../views/records";
import { projectPath } from "../api-client";
import { layout, projectUrl, usd, when, type Html } from "../html";
import { sendPage } from "../respond";
import type { DashEnv } from "../session";
import { chrome, projectOf } from "./chrome";
import type { CostReport } from "./costs";

interface Overview {
  errors: { open: number; resolved: number; recurring: number; new: number };
  sessions: { total: number; active: number };
  decisions: number;
  ci_failures: ErrorView[];
}

/** The budget as a bar, with the warning level the project's settings name. */
export function budgetGauge(budget: CostReport["budget"]): Html {
  if (budget.max_monthly_budget_usd === null) {
    return html`<p>${usd(budget.month_spent_usd)} spent in ${budget.month}; no monthly budget is set.</p>`;
  }
  const percent = Math.round(budget.percent_used ?? 0);
  return html`<p>
      ${usd(budget.month_spent_usd)} of ${usd(budget.max_monthly_budget_usd)} in ${budget.month} (${percent}%)
    </p>
    <p>
      <label for="budget-meter">Budget used</label>
      <meter
        id="budget-meter"
        class="gauge"
        min="0"
        max="100"
        low="50"
        high="80"
        optimum="0"
        value="${Math.min(100, percent)}"
      >
        ${percent}%
      </meter>
    </p>
    ${budget.warning ? html`<p class="badge warn">${budget.warning}</p>` : ""}`;
}

function card(label: string, value: number | string, href?: string): Html {
  return html`<div class="card">
    <div class="n">${href ? html`<a href="${href}">${value}</a>` : value}</div>
    <div class="muted small">${label}</div>
  </div>`;
}

export function overviewPages(app: Hono<DashEnv>): void {
  app.get("/dashboard/t/:team/:project", async (c) => {
    const project = projectOf(c);
    const base = projectPath(project.team, project.name);
    const api = c.get("api");
    const [overview, costs] = await Promise.all([
      api.get<Overview>(`${base}/overview`),
      api.get<CostReport>(`${base}/costs`, { limit: 0 }),
    ]);
    const page = await chrome(c, `${project.name} overview`, { ...project, tab: "overview" });
    const body = html`<h1>Overview</h1>
      <div class="cards">
        ${card("open errors", overview.errors.open, projectUrl(project, "/errors?status=open"))}
        ${card("resolved errors", overview.errors.resolved, projectUrl(project, "/errors?status=resolved"))}
        ${card("came back in 7 days", overview.errors.recurring)} ${card("new in 7 days", overview.errors.new)}
        ${card(`sessions (${overview.sessions.active} active)`, overview.sessions.total, projectUrl(project, "/sessions"))}
        ${card("decisions", overview.decisions, projectUrl(project, "/decisions"))}
        ${card("LLM spend this month", usd(costs.budget.month_spent_usd), projectUrl(project, "/costs"))}
      </div>
      <h2>Budget</h2>
      ${budgetGauge(costs.budget)}
      <h2>Latest CI failures</h2>
      ${
        overview.ci_failures.length
          ? html`<ul class="list">
              ${overview.ci_failures.map(
                (error) =>
                  html`<li>
                    <a href="${projectUrl(project, `/errors/${error.error_id}`)}"><code>${error.error_type}</code></a>
                    ${error.message.slice(0, 160)}
                    <div class="muted small">
                      ${when(error.last_seen)} · ${error.last_ci_job ?? "job?"} ·
                      ${error.last_commit?.slice(0, 10) ?? ""} · ${error.occurrences}×
                    </div>
                  </li>`,
              )}
            </ul>`
          : html`<p class="muted">No CI failures recorded. Connect a webhook on the team page to receive them.</p>`
      }`;
    return sendPage(c, layout(page, body));
  });
}
