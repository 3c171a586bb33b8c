import type { Hono } from "hono";
import { html } from "hono/html";
import { projectPath } from "../api-client";
import { barChart } from "../charts";
import { layout, postForm, projectUrl, usd, when, type Html } from "../html";
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
  return html`<div class="scroll">
    <table>
      <caption class="muted small">
        ${heading}, in figures
      </caption>
      <thead>
        <tr>
          <th scope="col">${heading}</th>
          <th scope="col">Spend</th>
          <th scope="col">Calls</th>
          <th scope="col" class="wide">Tokens in / out</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) =>
            html`<tr>
              <td>${row.key}</td>
              <td>${usd(row.cost_usd)}</td>
              <td>${row.calls}</td>
              <td class="wide">${row.input_tokens} / ${row.output_tokens}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
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
      <h2>Spend per month</h2>
      ${barChart(
        months.map((row) => ({ label: row.month, value: row.cost_usd })),
        { title: "Spend per month", format: usd },
      )}
      ${table(
        months.map((row) => ({ key: row.month, ...row })),
        "Month",
      )}
      <h2>Spend per model</h2>
      ${barChart(
        costs.by_model.map((row) => ({ label: row.model, value: row.cost_usd })),
        { title: "Spend per model", format: usd },
      )}
      ${table(
        costs.by_model.map((row) => ({ key: row.model, ...row })),
        "Model",
      )}
      <h2>Spend per operation</h2>
      ${barChart(
        costs.by_operation.map((row) => ({ label: row.operation, value: row.cost_usd })),
        { title: "Spend per operation", format: usd },
      )}
      ${table(
        costs.by_operation.map((row) => ({ key: row.operation, ...row })),
        "Operation",
      )}
      <h2>Latest calls</h2>
      ${
        costs.calls.length
          ? html`<div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Operation</th>
                    <th scope="col" class="wide">Model</th>
                    <th scope="col">Spend</th>
                    <th scope="col">Outcome</th>
                  </tr>
                </thead>
                <tbody>
                  ${costs.calls.map(
                    (call) =>
                      html`<tr>
                        <td>${when(call.at)}</td>
                        <td>${call.operation}</td>
                        <td class="wide"><code>${call.model}</code></td>
                        <td>${usd(call.cost_usd)}</td>
                        <td>${call.outcome}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
          : html`<p class="muted">No LLM calls yet.</p>`
      }`;
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
