import type { Context } from "hono";
import { html } from "hono/html";
import { projectPath } from "../api-client";
import { projectUrl, type Html } from "../html";
import type { DashEnv } from "../session";
import { projectOf } from "./chrome";

/** A REST listing page (`GET /sessions`, `/decisions`, `/errors`…): `{items, next_cursor}`. */
export interface Paged<T> {
  items: T[];
  next_cursor: string | null;
}

/** Typed edges of the memory graph as `GET /graph/edges` answers them. */
export interface MemoryEdges {
  edges: Array<{
    from: { type: string; id: string };
    relation: string;
    to: { type: string; id: string };
    created_at?: string;
  }>;
}

/** One page of a project listing, newest first, as a list with a link to the next (older) page. */
export async function pagedList<T>(
  c: Context<DashEnv>,
  kind: "decisions" | "sessions",
  render: (item: T) => Html,
  empty: string,
): Promise<Html> {
  const project = projectOf(c);
  const listing = await c.get("api").get<Paged<T>>(`${projectPath(project.team, project.name)}/${kind}`, {
    limit: 50,
    cursor: c.req.query("cursor"),
  });
  const next = listing.next_cursor
    ? projectUrl(project, `/${kind}?cursor=${encodeURIComponent(listing.next_cursor)}`)
    : null;
  return html`${
    listing.items.length
      ? html`<ul class="list">
          ${listing.items.map((item) => html`<li>${render(item)}</li>`)}
        </ul>`
      : html`<p class="muted">${empty}</p>`
  }
  ${next ? html`<p class="pager"><a href="${next}">Older ${kind}</a></p>` : ""}`;
}
