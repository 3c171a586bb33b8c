import type { Hono } from "hono";
import { html } from "hono/html";
import { layout, postForm, projectUrl } from "../html";
import { sendPage } from "../respond";
import { field, type DashEnv } from "../session";
import { chrome } from "./chrome";

export interface TeamListing {
  teams: Array<{ slug: string; name: string | null; personal: boolean; role: string; projects: string[] }>;
}

/** The first page: every team the user is in, with its projects and the user's role there. */
export function projectPages(app: Hono<DashEnv>): void {
  app.get("/dashboard", async (c) => {
    const { teams } = await c.get("api").get<TeamListing>("/teams");
    const page = await chrome(c, "Projects");
    const body = html`<h1>Projects</h1>
      ${
        teams.every((team) => team.projects.length === 0)
          ? html`<p class="muted">
              No projects yet. A project appears when an assistant first records something in it (see the README's first
              steps), or when a team admin moves one into a team.
            </p>`
          : ""
      }
      ${teams.map(
        (team) =>
          html`<section aria-labelledby="team-${team.slug}">
            <h2 id="team-${team.slug}">
              ${team.personal ? "Personal" : team.name || team.slug} <span class="badge">${team.role}</span>
              ${team.personal ? "" : html`<a class="small" href="/dashboard/teams/${team.slug}">members</a>`}
            </h2>
            ${
              team.projects.length
                ? html`<ul class="list">
                    ${team.projects.map(
                      (name) => html`<li><a href="${projectUrl({ team: team.slug, name })}">${name}</a></li>`,
                    )}
                  </ul>`
                : html`<p class="muted">No projects in this team.</p>`
            }
          </section>`,
      )}
      <h2>New team</h2>
      ${postForm(
        "/dashboard/teams",
        page.csrf,
        html`<div class="row">
          <div>
            <label for="slug">Team id</label><input id="slug" name="slug" type="text" required pattern="[a-z0-9-]+" />
          </div>
          <div><label for="name">Name</label><input id="name" name="name" type="text" /></div>
          <div><button type="submit">Create team</button></div>
        </div>`,
      )}`;
    return sendPage(c, layout(page, body));
  });

  app.post("/dashboard/teams", async (c) => {
    const slug = field(c, "slug").trim();
    const name = field(c, "name").trim();
    await c.get("api").send("POST", "/teams", { slug, name: name || null });
    return c.redirect(`/dashboard/teams/${encodeURIComponent(slug)}?notice=created`, 303);
  });
}
