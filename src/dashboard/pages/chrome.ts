import type { Context } from "hono";
import { assetPaths } from "../assets";
import type { Chrome, ProjectTab } from "../html";
import type { DashEnv } from "../session";

/** Notices a page may show after a redirect; by key, so no text of the URL's ever reaches the page. */
const NOTICES: Record<string, string> = {
  saved: "Saved.",
  resolved: "Marked resolved.",
  reopened: "Marked open again.",
  approved: "Approved: the held call ran.",
  denied: "Denied: the held call was dropped.",
  revoked: "Revoked.",
  role: "Role changed.",
  removed: "Removed.",
  joined: "You joined the team.",
  created: "Created.",
};

/** The chrome of a signed-in page: assets, the session's CSRF token, who is signed in, the project's tabs. */
export async function chrome(
  c: Context<DashEnv>,
  title: string,
  project?: { team: string; name: string; tab: ProjectTab },
): Promise<Chrome> {
  const session = c.get("session");
  return {
    title,
    assets: await assetPaths(),
    csrf: session.csrf,
    user: session.userId,
    ...(project ? { project } : {}),
    notice: NOTICES[c.req.query("notice") ?? ""] ?? null,
  };
}

/** The project a `/dashboard/t/:team/:project/…` URL names. */
export function projectOf(c: Context<DashEnv>): { team: string; name: string } {
  return { team: c.req.param("team") ?? "", name: c.req.param("project") ?? "" };
}

/**
 * Whether the signed-in user may curate in this team's projects: role member or above, and a session granted
 * memory:write. Only decides what the page offers; the API refuses a curation itself when this says no.
 */
export async function mayWrite(c: Context<DashEnv>, team: string): Promise<boolean> {
  if (!c.get("session").scopes.includes("memory:write")) return false;
  const { teams } = await c.get("api").get<{ teams: Array<{ slug: string; role: string }> }>("/teams");
  const role = teams.find((entry) => entry.slug === team)?.role;
  return role !== undefined && role !== "viewer";
}
