import type { Hono } from "hono";
import { html } from "hono/html";
import { projectPath } from "../api-client";
import { barChart } from "../charts";
import { dataTable, layout, postForm, projectUrl, usd, when, type Html } from "../html";
import { sendPage } from "../respond";
import { field, type DashEnv } from "../session";
import { chrome, projectOf } from "./chrome";
import { budgetGauge } from "./overview";

interface Totals {
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
  calls: number;
}

/** coding_get_costs as REST answers it (the fields the page reads). */
export interface CostReport {
  by_model: Array<Totals & { model: string }>;
  by_operation: Array<Totals & { operation: string }>;
  by_month: Array<Totals & { month: string }>;
  calls: Array<{
    id: string;
    at: string;
    operation: string;
    model: string;
    cost_usd: number;
    outcome: string;
    user_id: string;
  }>;
  budget: {
    month: string;
    month_spent_usd: number;
    max_monthly_budget_usd: number | null;
    percent_used: number | null;
    warning: string | null;
  };
}

interface Approvals {
  approvals: Array<{
    approval_id: string;
    operation: string;
    model: string;
    estimated_cost_usd: number;
    input_tokens: number;
    max_output_tokens: number;
    expires_at: string;
  }>;
}

function table(rows: Array<{ key: string } & Totals>, heading: string): Html {
  return dataTable(
    rows,
    [
      { label: heading, cell: (row) => row.key },
      { label: "Spend", cell: (row) => usd(row.cost_usd) },
      { label: "Calls", cell: (row) => row.calls },
      { label: "Tokens in / out", cell: (row) => `${row.input_tokens} / ${row.output_tokens}`, wide: true },
    ],
    { caption: `${heading}, in figures` },
  );
}

/** One breakdown of the spend: its chart, then the same figures as a table. */
function breakdown(by: string, rows: Array<{ key: string } & Totals>): Html {
  const title = `Spend per ${by}`;
  return html`<h2>${title}</h2>
    ${barChart(
      rows.map((row) => ({ label: row.key, value: row.cost_usd })),
      { title, format: usd },
    )}
    ${table(rows, by[0]?.toUpperCase() + by.slice(1))}`;
}

/** Spend per month, model and operation, the budget, and the held calls waiting for this user's decision. */
export function costPages(app: Hono<DashEnv>): void {
  app.get("/dashboard/t/:team/:project/costs", async (c) => {
    const project = projectOf(c);
    const base = projectPath(project.team, project.name);
    const api = c.get("api");
    const [costs, held] = await Promise.all([
      api.get<CostReport>(`${base}/costs`, { limit: 20 }),
      api.get<Approvals>(`${base}/approvals`),
    ]);
    const page = await chrome(c, `${project.name} costs`, { ...project, tab: "costs" });
    const months = [...costs.by_month].sort((a, b) => a.month.localeCompare(b.month)).slice(-12);
    const body = html`<h1>Costs</h1>
      ${budgetGauge(costs.budget)}
      <h2>Waiting for your approval</h2>
      ${
        held.approvals.length
          ? html`<ul class="list">
              ${held.approvals.map(
                (approval) =>
                  html`<li>
                    <strong>${approval.operation}</strong> with <code>${approval.model}</code>: about
                    ${usd(approval.estimated_cost_usd)} (${approval.input_tokens} tokens in, up to
                    ${approval.max_output_tokens} out) · expires ${when(approval.expires_at)}
                    <div class="row">
                      ${postForm(
                        projectUrl(project, `/approvals/${approval.approval_id}`),
                        page.csrf,
                        html`<input type="hidden" name="decision" value="approve" /><button
                            class="primary"
                            type="submit"
                          >
                            Approve
                          </button>`,
                        { className: "inline", label: `Approve ${approval.operation}` },
                      )}
                      ${postForm(
                        projectUrl(project, `/approvals/${approval.approval_id}`),
                        page.csrf,
                        html`<input type="hidden" name="decision" value="deny" /><button class="danger" type="submit">
                            Deny
                          </button>`,
                        { className: "inline", label: `Deny ${approval.operation}` },
                      )}
                    </div>
                  </li>`,
              )}
            </ul>`
          : html`<p class="muted">
              Nothing is waiting. Calls over the approval threshold are held here and in your assistant.
            </p>`
      }
      ${breakdown(
        "month",
        months.map((row) => ({ key: row.month, ...row })),
      )}
      ${breakdown(
        "model",
        costs.by_model.map((row) => ({ key: row.model, ...row })),
      )}
      ${breakdown(
        "operation",
        costs.by_operation.map((row) => ({ key: row.operation, ...row })),
      )}
      <h2>Latest calls</h2>
      ${dataTable(
        costs.calls,
        [
          { label: "When", cell: (call) => when(call.at) },
          { label: "Operation", cell: (call) => call.operation },
          { label: "Model", cell: (call) => html`<code>${call.model}</code>`, wide: true },
          { label: "Spend", cell: (call) => usd(call.cost_usd) },
          { label: "Outcome", cell: (call) => call.outcome },
        ],
        { empty: "No LLM calls yet." },
      )}`;
    return sendPage(c, layout(page, body));
  });

  app.post("/dashboard/t/:team/:project/approvals/:id", async (c) => {
    const project = projectOf(c);
    const decision = field(c, "decision") === "approve" ? "approve" : "deny";
    await c
      .get("api")
      .send(
        "POST",
        `${projectPath(project.team, project.name)}/approvals/${encodeURIComponent(c.req.param("id"))}/${decision}`,
        {},
      );
    return c.redirect(projectUrl(project, `/costs?notice=${decision === "approve" ? "approved" : "denied"}`), 303);
  });
}
