import type { Hono } from "hono";
import { html } from "hono/html";
import { dataTable, layout, postForm, when } from "../html";
import { sendPage } from "../respond";
import { field, type DashEnv } from "../session";
import { chrome } from "./chrome";

interface TokenList {
  tokens: Array<{
    token_id: string;
    name: string;
    prefix: string;
    scopes: string[];
    created_at: string;
    last_used_at: string | null;
    expires_at: string | null;
    revoked_at: string | null;
  }>;
}

const LEVELS: Record<string, string[]> = {
  read: ["memory:read"],
  write: ["memory:read", "memory:write"],
  admin: ["memory:read", "memory:write", "admin"],
};

/** The user's API tokens: create one (its secret shown once), see when each was last used, revoke. */
export function tokenPages(app: Hono<DashEnv>): void {
  app.get("/dashboard/tokens", async (c) => {
    const { tokens } = await c.get("api").get<TokenList>("/tokens");
    const page = await chrome(c, "API tokens");
    const live = tokens.filter((token) => !token.revoked_at);
    const body = html`<h1>API tokens</h1>
      <p class="muted">For CI, scripts and assistants that cannot sign in with OAuth. Only a hash is stored.</p>
      ${postForm(
        "/dashboard/tokens",
        page.csrf,
        html`<div class="row">
          <div>
            <label for="token-name">Name</label
            ><input id="token-name" name="name" type="text" required maxlength="100" />
          </div>
          <div>
            <label for="token-level">Access</label>
            <select id="token-level" name="level">
              <option value="read">read</option>
              <option value="write" selected>read and write</option>
              <option value="admin">read, write and administer</option>
            </select>
          </div>
          <div>
            <label for="token-days">Expires in days</label
            ><input id="token-days" name="days" type="number" min="1" max="365" value="90" />
          </div>
          <div>
            <label for="token-project">Only this project (optional)</label
            ><input id="token-project" name="project" type="text" />
          </div>
          <div><button class="primary" type="submit">Create token</button></div>
        </div>`,
      )}
      <h2>Your tokens</h2>
      ${dataTable(
        live,
        [
          { label: "Name", cell: (token) => token.name },
          { label: "Starts with", cell: (token) => html`<code>${token.prefix}…</code>`, wide: true },
          { label: "Scopes", cell: (token) => token.scopes.join(" ") },
          { label: "Last used", cell: (token) => when(token.last_used_at), wide: true },
          { label: "Expires", cell: (token) => when(token.expires_at), wide: true },
          {
            label: "Revoke",
            cell: (token) =>
              postForm(
                `/dashboard/tokens/${encodeURIComponent(token.token_id)}/revoke`,
                page.csrf,
                html`<button class="danger" type="submit">Revoke</button>`,
                {
                  className: "inline",
                  confirm: `Revoke ${token.name}? Anything using it stops working.`,
                  label: `Revoke ${token.name}`,
                },
              ),
          },
        ],
        { empty: "None." },
      )}`;
    return sendPage(c, layout(page, body));
  });

  app.post("/dashboard/tokens", async (c) => {
    const project = field(c, "project").trim();
    const days = Number(field(c, "days") || 90);
    const created = await c
      .get("api")
      .send<{ token: string; name: string; scopes: string[]; expires_at: string | null }>("POST", "/tokens", {
        name: field(c, "name").trim(),
        scopes: LEVELS[field(c, "level")] ?? LEVELS.write,
        expires_in_days: Number.isInteger(days) ? days : 90,
        ...(project ? { project } : {}),
      });
    const page = await chrome(c, "Token created");
    const body = html`<h1>Token created</h1>
      <p>
        Copy it now: <strong>it is shown once</strong>. ${created.name} · ${created.scopes.join(" ")} · expires
        ${when(created.expires_at)}
      </p>
      <p class="secret" id="new-token">${created.token}</p>
      <p>
        Use it as <code>Authorization: Bearer …</code>, or in <code>coding-memory</code> as
        <code>CODING_MEMORY_TOKEN</code>.
      </p>
      <p><a href="/dashboard/tokens">Back to your tokens</a></p>`;
    return sendPage(c, layout(page, body), 201);
  });

  app.post("/dashboard/tokens/:id/revoke", async (c) => {
    await c.get("api").send("DELETE", `/tokens/${encodeURIComponent(c.req.param("id"))}`);
    return c.redirect("/dashboard/tokens?notice=revoked", 303);
  });
}
