import type { Hono } from "hono";
import { html } from "hono/html";
import { dataTable, layout, postForm, projectUrl, when } from "../html";
import { sendPage } from "../respond";
import { field, type DashEnv } from "../session";
import { chrome } from "./chrome";
import type { TeamListing } from "./projects";

interface TeamDetails {
  slug: string;
  name: string | null;
  personal: boolean;
  role: string;
  members: Array<{ user_id: string; role: string; added_by: string | null; since: string }>;
  pending_invitations: Array<{
    invitation_id: string;
    role: string;
    note: string | null;
    invited_by: string;
    expires_at: string;
  }>;
}

const ROLES = ["viewer", "member", "admin", "owner"] as const;

/** Teams: members and their roles, invitations (a one-time code shown once), and accepting one. */
export function teamPages(app: Hono<DashEnv>): void {
  app.get("/dashboard/teams", async (c) => {
    const { teams } = await c.get("api").get<TeamListing>("/teams");
    const page = await chrome(c, "Teams");
    const body = html`<h1>Teams</h1>
      <ul class="list">
        ${teams.map(
          (team) =>
            html`<li>
              <a href="/dashboard/teams/${team.slug}">${team.personal ? "Personal" : team.name || team.slug}</a>
              <span class="badge">${team.role}</span> <span class="muted small">${team.projects.length} projects</span>
            </li>`,
        )}
      </ul>
      <h2>Join a team</h2>
      ${postForm(
        "/dashboard/invitations/accept",
        page.csrf,
        html`<div class="row">
          <div>
            <label for="code">Invitation code</label
            ><input id="code" name="code" type="text" required autocomplete="off" />
          </div>
          <div><button type="submit">Join</button></div>
        </div>`,
      )}`;
    return sendPage(c, layout(page, body));
  });

  app.get("/dashboard/teams/:team", async (c) => {
    const slug = c.req.param("team");
    const api = c.get("api");
    const [team, listing] = await Promise.all([
      api.get<TeamDetails>(`/teams/${encodeURIComponent(slug)}`),
      api.get<TeamListing>("/teams"),
    ]);
    const projects = listing.teams.find((entry) => entry.slug === team.slug)?.projects ?? [];
    const page = await chrome(c, `Team ${team.slug}`);
    const admin = team.role === "admin" || team.role === "owner";
    const base = `/dashboard/teams/${encodeURIComponent(team.slug)}`;
    const memberForm = (member: TeamDetails["members"][number]) =>
      postForm(
        `${base}/members/${encodeURIComponent(member.user_id)}`,
        page.csrf,
        html`<label class="small" for="role-${member.user_id}">Role of ${member.user_id}</label>
          <select id="role-${member.user_id}" name="role">
            ${ROLES.map((role) => html`<option ${role === member.role ? "selected" : ""}>${role}</option>`)}
          </select>
          <button type="submit" name="action" value="role">Change</button>
          <button class="danger" type="submit" name="action" value="remove">Remove</button>`,
        { confirm: "Change or remove this member?", label: `Member ${member.user_id}` },
      );
    const body = html`<h1>
        ${team.personal ? "Personal team" : team.name || team.slug} <span class="badge">you: ${team.role}</span>
      </h1>
      <h2>Projects</h2>
      ${
        projects.length
          ? html`<ul class="list">
              ${projects.map((name) => html`<li><a href="${projectUrl({ team: team.slug, name })}">${name}</a></li>`)}
            </ul>`
          : html`<p class="muted">None yet.</p>`
      }
      <h2>Members</h2>
      ${dataTable(team.members, [
        { label: "User", cell: (member) => member.user_id },
        { label: "Role", cell: (member) => member.role },
        { label: "Since", cell: (member) => when(member.since), wide: true },
        ...(admin ? [{ label: "Change", cell: memberForm }] : []),
      ])}
      ${
        admin
          ? html`<h2>Invite someone</h2>
              ${postForm(
                `${base}/invitations`,
                page.csrf,
                html`<div class="row">
                  <div>
                    <label for="invite-role">Role</label>
                    <select id="invite-role" name="role">
                      <option>viewer</option>
                      <option selected>member</option>
                      <option>admin</option>
                    </select>
                  </div>
                  <div>
                    <label for="invite-note">For whom (shown to admins)</label
                    ><input id="invite-note" name="note" type="text" />
                  </div>
                  <div><button class="primary" type="submit">Create invitation</button></div>
                </div>`,
              )}
              <h2>Pending invitations</h2>
              ${
                team.pending_invitations.length
                  ? html`<ul class="list">
                      ${team.pending_invitations.map(
                        (invitation) =>
                          html`<li>
                            ${invitation.role} · ${invitation.note ?? "no note"} · by ${invitation.invited_by} · expires
                            ${when(invitation.expires_at)}
                            ${postForm(
                              `${base}/invitations/${encodeURIComponent(invitation.invitation_id)}/revoke`,
                              page.csrf,
                              html`<button class="danger" type="submit">Revoke</button>`,
                              { className: "inline", label: `Revoke invitation ${invitation.invitation_id}` },
                            )}
                          </li>`,
                      )}
                    </ul>`
                  : html`<p class="muted">None.</p>`
              }`
          : ""
      }`;
    return sendPage(c, layout(page, body));
  });

  app.post("/dashboard/teams/:team/invitations", async (c) => {
    const slug = c.req.param("team");
    const note = field(c, "note").trim();
    const created = await c
      .get("api")
      .send<{ code: string; role: string; expires_at: string }>(
        "POST",
        `/teams/${encodeURIComponent(slug)}/invitations`,
        { role: field(c, "role"), note: note || null },
      );
    const page = await chrome(c, "Invitation created");
    const body = html`<h1>Invitation created</h1>
      <p>
        Send this code to the person you invite (as ${created.role}); it works once, until ${when(created.expires_at)},
        and is not shown again.
      </p>
      <p class="secret" id="invitation-code">${created.code}</p>
      <p>
        They join on <strong>Teams → Join a team</strong> in the dashboard, or with
        <code>POST /api/v1/invitations/accept</code>.
      </p>
      <p><a href="/dashboard/teams/${slug}">Back to the team</a></p>`;
    return sendPage(c, layout(page, body), 201);
  });

  app.post("/dashboard/teams/:team/invitations/:id/revoke", async (c) => {
    const slug = c.req.param("team");
    await c
      .get("api")
      .send("DELETE", `/teams/${encodeURIComponent(slug)}/invitations/${encodeURIComponent(c.req.param("id"))}`);
    return c.redirect(`/dashboard/teams/${encodeURIComponent(slug)}?notice=revoked`, 303);
  });

  app.post("/dashboard/teams/:team/members/:user", async (c) => {
    const slug = c.req.param("team");
    const path = `/teams/${encodeURIComponent(slug)}/members/${encodeURIComponent(c.req.param("user"))}`;
    if (field(c, "action") === "remove") {
      await c.get("api").send("DELETE", path);
      return c.redirect(`/dashboard/teams/${encodeURIComponent(slug)}?notice=removed`, 303);
    }
    await c.get("api").send("PATCH", path, { role: field(c, "role") });
    return c.redirect(`/dashboard/teams/${encodeURIComponent(slug)}?notice=role`, 303);
  });

  app.post("/dashboard/invitations/accept", async (c) => {
    const joined = await c.get("api").send<{ team: { slug: string } }>("POST", "/invitations/accept", {
      code: field(c, "code").trim(),
    });
    return c.redirect(`/dashboard/teams/${encodeURIComponent(joined.team.slug)}?notice=joined`, 303);
  });
}
