import type { Hono } from "hono";
import { html } from "hono/html";
import { AppError } from "../../domain/core/app-error";
import { projectPath } from "../api-client";
import { dataTable, layout, postForm, projectUrl, when } from "../html";
import { sendPage } from "../respond";
import { field, type DashEnv } from "../session";
import { chrome, projectOf } from "./chrome";

interface Settings {
  model: string | null;
  vision_model: string | null;
  auto_approve: boolean;
  cost_threshold: number;
  max_monthly_budget_usd: number | null;
  warn_at_percentage: number;
  auto_summarize_on_end: boolean;
  project_overrides: string[];
}
interface Deliveries {
  deliveries: Array<{
    delivery_id: string;
    source: string;
    event: string;
    received_at: string;
    errors_recorded: number;
  }>;
}

/** A form's number field: empty → null (the server default), else a number, or a 400 naming the field. */
function numberOrNull(value: string, name: string): number | null {
  if (value.trim() === "") return null;
  const number = Number(value);
  if (!Number.isFinite(number))
    throw new AppError("invalid_input", `${name}: expected a number.`, { details: { field: name } });
  return number;
}

/** Project settings (admins): the LLM models, budget and approval threshold, and the CI webhook with its deliveries. */
export function settingsPages(app: Hono<DashEnv>): void {
  app.get("/dashboard/t/:team/:project/settings", async (c) => {
    const project = projectOf(c);
    const base = projectPath(project.team, project.name);
    const api = c.get("api");
    // POST /settings with nothing to change answers the settings (admins only, as changing them).
    const [settings, hook, deliveries] = await Promise.all([
      api.send<Settings>("POST", `${base}/settings`, {}),
      api.get<{ repository: string | null; configured_by: string }>(`${base}/webhooks`).catch((error: unknown) => {
        if (error instanceof AppError && error.code === "not_found") return null;
        throw error;
      }),
      api.get<Deliveries>(`${base}/webhooks/deliveries`),
    ]);
    const page = await chrome(c, `${project.name} settings`, { ...project, tab: "settings" });
    const action = projectUrl(project, "/settings");
    const checked = (on: boolean) => (on ? "checked" : "");
    const body = html`<h1>Settings</h1>
      <h2>LLM</h2>
      <p class="muted small">
        Empty fields use the server's default. Overridden here: ${settings.project_overrides.join(", ") || "nothing"}.
      </p>
      ${postForm(
        action,
        page.csrf,
        html`<input type="hidden" name="action" value="llm" /> <label for="model">Model</label
          ><input id="model" name="model" type="text" value="${settings.model ?? ""}" placeholder="gpt-5-mini" />
          <label for="vision_model">Vision model</label
          ><input id="vision_model" name="vision_model" type="text" value="${settings.vision_model ?? ""}" />
          <label for="max_monthly_budget_usd">Monthly budget, USD (a hard cap)</label>
          <input
            id="max_monthly_budget_usd"
            name="max_monthly_budget_usd"
            type="number"
            min="0"
            step="0.01"
            value="${settings.max_monthly_budget_usd ?? ""}"
          />
          <label for="warn_at_percentage">Warn at, % of the budget</label>
          <input
            id="warn_at_percentage"
            name="warn_at_percentage"
            type="number"
            min="1"
            max="100"
            value="${settings.warn_at_percentage}"
          />
          <label for="cost_threshold">Ask for approval above, USD per call</label>
          <input
            id="cost_threshold"
            name="cost_threshold"
            type="number"
            min="0"
            step="0.0001"
            value="${settings.cost_threshold}"
          />
          <label
            ><input type="checkbox" name="auto_approve" value="on" ${checked(settings.auto_approve)} /> Approve every
            call automatically</label
          >
          <label
            ><input
              type="checkbox"
              name="auto_summarize_on_end"
              value="on"
              ${checked(settings.auto_summarize_on_end)}
            />
            AI summary when a session ends</label
          >
          <p><button class="primary" type="submit">Save settings</button></p>`,
        { label: "LLM settings" },
      )}
      <h2>CI webhook</h2>
      ${
        hook
          ? html`<p>
              Configured by ${hook.configured_by}${hook.repository ? html` for <code>${hook.repository}</code>` : ""}.
            </p>`
          : html`<p class="muted">Not configured: CI failures do not reach this project yet.</p>`
      }
      ${postForm(
        action,
        page.csrf,
        html`<input type="hidden" name="action" value="webhook" />
          <label for="repository">GitHub repository (owner/name, optional)</label>
          <input id="repository" name="repository" type="text" value="${hook?.repository ?? ""}" />
          <p><button type="submit">${hook ? "Rotate the secret" : "Create the webhook"}</button></p>`,
        { label: "CI webhook", ...(hook ? { confirm: "Rotate the secret? CI must be given the new one." } : {}) },
      )}
      ${
        hook
          ? postForm(
              action,
              page.csrf,
              html`<input type="hidden" name="action" value="unhook" /><button class="danger" type="submit">
                  Remove the webhook
                </button>`,
              {
                confirm: "Remove the webhook? CI deliveries will be refused.",
                label: "Remove the CI webhook",
              },
            )
          : ""
      }
      <h3>Recent deliveries</h3>
      ${dataTable(
        deliveries.deliveries,
        [
          { label: "Received", cell: (delivery) => when(delivery.received_at) },
          { label: "From", cell: (delivery) => delivery.source },
          { label: "Event", cell: (delivery) => delivery.event },
          {
            label: "Errors recorded",
            cell: (delivery) => html`<a href="${projectUrl(project, "/errors")}">${delivery.errors_recorded}</a>`,
          },
        ],
        { empty: "None yet." },
      )}`;
    return sendPage(c, layout(page, body));
  });

  app.post("/dashboard/t/:team/:project/settings", async (c) => {
    const project = projectOf(c);
    const base = projectPath(project.team, project.name);
    const api = c.get("api");
    const action = field(c, "action");
    if (action === "llm") {
      // Only what the form changed is sent: a field left as shown keeps following the server's default.
      const current = await api.send<Settings>("POST", `${base}/settings`, {});
      const posted: Partial<Settings> = {
        model: field(c, "model").trim() || null,
        vision_model: field(c, "vision_model").trim() || null,
        max_monthly_budget_usd: numberOrNull(field(c, "max_monthly_budget_usd"), "max_monthly_budget_usd"),
        warn_at_percentage: numberOrNull(field(c, "warn_at_percentage"), "warn_at_percentage") ?? undefined,
        cost_threshold: numberOrNull(field(c, "cost_threshold"), "cost_threshold") ?? undefined,
        auto_approve: field(c, "auto_approve") === "on",
        auto_summarize_on_end: field(c, "auto_summarize_on_end") === "on",
      };
      const changed = Object.fromEntries(
        Object.entries(posted).filter(
          ([key, value]) => value !== undefined && value !== current[key as keyof Settings],
        ),
      );
      await api.send("POST", `${base}/settings`, changed);
      return c.redirect(projectUrl(project, "/settings?notice=saved"), 303);
    }
    if (action === "unhook") {
      await api.send("DELETE", `${base}/webhooks`);
      return c.redirect(projectUrl(project, "/settings?notice=removed"), 303);
    }
    const repository = field(c, "repository").trim();
    const created = await api.send<{ secret: string; github_url: string; ci_url: string; note: string }>(
      "POST",
      `${base}/webhooks`,
      repository ? { repository } : {},
    );
    const page = await chrome(c, "Webhook secret", { ...project, tab: "settings" });
    const body = html`<h1>Webhook secret</h1>
      <p>Give this secret to CI now: <strong>it is shown once</strong>.</p>
      <p class="secret" id="webhook-secret">${created.secret}</p>
      <p>
        GitHub (content type application/json; events <em>Workflow runs</em> and <em>Check runs</em>):
        <code>${created.github_url}</code>
      </p>
      <p>Any other CI: <code>${created.ci_url}</code></p>
      <p class="muted small">${created.note}</p>
      <p><a href="${projectUrl(project, "/settings")}">Back to the settings</a></p>`;
    return sendPage(c, layout(page, body), 201);
  });
}
