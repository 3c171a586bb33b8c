import { Hono, type Context } from "hono";
import { z } from "zod";
import { parseScopes, requireScope, SCOPES, TEAM_ROLES, type Scope } from "../domain/access";
import { AppError } from "../domain/app-error";
import type { Invitation, Team, TeamMember } from "../domain/teams";
import { invalidInput } from "../mcp/run-tool";
import { projectIdField } from "../mcp/schema";
import { readJsonObject, type RestEnv } from "./rest";

/** Token lifetimes: expiring by default, at most a year. */
const TOKEN_DAYS = { default: 90, max: 365 } as const;

const createTeamBody = z.object({
  slug: z.string().min(1).max(63).describe("Team id in URLs: lowercase letters, digits, '-'."),
  name: z.string().max(200).nullish(),
});
const inviteBody = z.object({
  role: z.enum(["admin", "member", "viewer"]).default("member"),
  note: z.string().max(200).nullish().describe("For whom, e.g. an email address; shown to the team's admins."),
  expires_in_days: z.number().int().min(1).max(30).nullish(),
});
const webhookBody = z.object({
  repository: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "repository must look like owner/name")
    .nullish()
    .describe("GitHub repository whose deliveries go to this project without ?project= in the URL."),
});
const acceptBody = z.object({ code: z.string().min(8).max(200) });
const roleBody = z.object({ role: z.enum(TEAM_ROLES) });
const transferBody = z.object({ team: z.string().min(1).max(63) });
const tokenBody = z.object({
  name: z.string().min(1).max(100),
  scopes: z.array(z.enum(SCOPES)).min(1).default(["memory:read", "memory:write"]),
  team: z.string().max(63).nullish().describe("Restrict the token to this team's projects."),
  project: projectIdField.nullish().describe("Restrict the token to this one project."),
  expires_in_days: z
    .number()
    .int()
    .min(1)
    .max(TOKEN_DAYS.max)
    .default(TOKEN_DAYS.default)
    .describe(`Days until it expires (default ${TOKEN_DAYS.default}, at most ${TOKEN_DAYS.max}).`),
});

async function body<T extends z.ZodType>(c: Context<RestEnv>, schema: T): Promise<z.output<T>> {
  const result = schema.safeParse(await readJsonObject(c));
  if (!result.success) throw invalidInput(result.error);
  return result.data;
}

const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString());
const teamView = (team: Team) => ({
  slug: team.slug,
  name: team.name,
  personal: team.personal,
  created_at: iso(team.createdAt),
});
const memberView = (member: TeamMember) => ({
  user_id: member.userId,
  role: member.role,
  added_by: member.addedBy,
  since: iso(member.createdAt),
});
const invitationView = (invitation: Invitation) => ({
  invitation_id: invitation.id,
  role: invitation.role,
  note: invitation.note,
  invited_by: invitation.invitedBy,
  expires_at: iso(invitation.expiresAt),
});

/**
 * Account-level routes (not about one project's memory): teams, members, invitations, API tokens, moving a
 * project between teams. Operator-style, so they are REST only and keep the MCP tool list small.
 */
export function accountRoutes(): Hono<RestEnv> {
  const api = new Hono<RestEnv>();

  api.get("/teams", async (c) => {
    const teams = await c.get("services").teams.list(c.get("identity"));
    return c.json({ teams: teams.map((team) => ({ ...teamView(team), role: team.role, projects: team.projects })) });
  });
  api.post("/teams", async (c) => {
    const input = await body(c, createTeamBody);
    const team = await c
      .get("services")
      .teams.create(c.get("identity"), { slug: input.slug, name: input.name ?? null });
    return c.json({ ...teamView(team), role: "owner" }, 201);
  });
  api.get("/teams/:team", async (c) => {
    const { team, role, members, invitations } = await c
      .get("services")
      .teams.details(c.get("identity"), c.req.param("team"));
    return c.json({
      ...teamView(team),
      role,
      members: members.map(memberView),
      pending_invitations: invitations.map(invitationView),
    });
  });
  api.post("/teams/:team/invitations", async (c) => {
    const input = await body(c, inviteBody);
    const { invitation, code } = await c.get("services").teams.invite(c.get("identity"), c.req.param("team"), {
      role: input.role,
      note: input.note ?? null,
      expiresInDays: input.expires_in_days ?? null,
    });
    return c.json(
      { ...invitationView(invitation), code, note_to_inviter: "The code is shown once; send it to the invitee." },
      201,
    );
  });
  api.delete("/teams/:team/invitations/:id", async (c) => {
    await c.get("services").teams.revokeInvitation(c.get("identity"), c.req.param("team"), c.req.param("id"));
    return c.json({ revoked: true });
  });
  api.post("/invitations/accept", async (c) => {
    const input = await body(c, acceptBody);
    const { team, role } = await c.get("services").teams.accept(c.get("identity"), input.code);
    return c.json({ team: teamView(team), role });
  });
  api.patch("/teams/:team/members/:user", async (c) => {
    const input = await body(c, roleBody);
    await c.get("services").teams.changeRole(c.get("identity"), c.req.param("team"), c.req.param("user"), input.role);
    return c.json({ user_id: c.req.param("user"), role: input.role });
  });
  api.delete("/teams/:team/members/:user", async (c) => {
    await c.get("services").teams.removeMember(c.get("identity"), c.req.param("team"), c.req.param("user"));
    return c.json({ removed: c.req.param("user") });
  });
  api.post("/projects/:project/transfer", async (c) => {
    const slug = projectIdField.safeParse(c.req.param("project"));
    if (!slug.success) throw invalidInput(slug.error);
    const input = await body(c, transferBody);
    const services = c.get("services");
    const identity = c.get("identity");
    const project = await services.memory.resolveProject(identity, slug.data, "admin", { create: false });
    const access = await services.memory.projectAccess(identity, project);
    const team = await services.teams.transferProject(identity, { id: project.id, teamId: access.teamId }, input.team);
    return c.json({ project_id: project.slug, team: teamView(team) });
  });

  // CI webhook of a project: set or rotate its secret (shown once), see it without the secret, remove it.
  api.post("/projects/:project/webhooks", async (c) => {
    const slug = projectIdField.safeParse(c.req.param("project"));
    if (!slug.success) throw invalidInput(slug.error);
    const input = await body(c, webhookBody);
    const services = c.get("services");
    const project = await services.memory.resolveProject(c.get("identity"), slug.data, "admin", { create: false });
    const secret = `whsec_${crypto.randomUUID().replace(/-/g, "")}${crypto.randomUUID().replace(/-/g, "")}`;
    // Answers 409 when another project holds the repository (D1WebhookStore.configure).
    await services.webhooks.configure(
      project.id,
      secret,
      input.repository ?? null,
      c.get("identity").userId,
      Date.now(),
    );
    const origin = new URL(c.req.url).origin;
    return c.json(
      {
        project_id: project.slug,
        secret,
        repository: input.repository ?? null,
        github_url: `${origin}/webhooks/github?project=${encodeURIComponent(project.slug)}`,
        ci_url: `${origin}/webhooks/ci/${encodeURIComponent(project.slug)}`,
        note: "The secret is shown once. GitHub: content type application/json, events workflow_run and check_run.",
      },
      201,
    );
  });
  api.get("/projects/:project/webhooks", async (c) => {
    const slug = projectIdField.safeParse(c.req.param("project"));
    if (!slug.success) throw invalidInput(slug.error);
    const services = c.get("services");
    const project = await services.memory.resolveProject(c.get("identity"), slug.data, "admin", { create: false });
    const config = await services.webhooks.forProjectSlug(project.slug);
    if (!config) throw new AppError("not_found", `project ${project.slug} has no CI webhook; POST one to create it.`);
    return c.json({ project_id: project.slug, repository: config.repository, configured_by: config.createdBy });
  });
  api.delete("/projects/:project/webhooks", async (c) => {
    const slug = projectIdField.safeParse(c.req.param("project"));
    if (!slug.success) throw invalidInput(slug.error);
    const services = c.get("services");
    const project = await services.memory.resolveProject(c.get("identity"), slug.data, "admin", { create: false });
    if (!(await services.webhooks.remove(project.id))) throw new AppError("not_found", "no CI webhook to remove.");
    return c.json({ removed: true });
  });

  api.get("/tokens", async (c) => {
    const identity = c.get("identity");
    const tokens = await c.get("services").tokens.list(identity.userId);
    return c.json({
      tokens: tokens.map((token) => ({
        token_id: token.id,
        name: token.name,
        prefix: token.prefix,
        scopes: token.scopes,
        team_id: token.teamId,
        project_id: token.projectId,
        created_at: iso(token.createdAt),
        last_used_at: iso(token.lastUsedAt),
        expires_at: iso(token.expiresAt),
        revoked_at: iso(token.revokedAt),
      })),
    });
  });
  api.post("/tokens", async (c) => {
    const identity = c.get("identity");
    requireScope(identity, "admin", "Creating an API token");
    const input = await body(c, tokenBody);
    const scopes: Scope[] = parseScopes(input.scopes);
    // A token can never do more than the credential that made it.
    const wider = scopes.filter((scope) => !identity.scopes.includes(scope));
    if (wider.length) {
      throw new AppError("forbidden", `scopes: this credential cannot grant ${wider.join(", ")}.`, {
        details: { field: "scopes" },
      });
    }
    const services = c.get("services");
    let teamId: string | null = identity.teamId;
    let projectId: string | null = identity.projectId;
    if (input.team) {
      const { team } = await services.teams.teamFor(identity, input.team, "member");
      teamId = team.id;
    }
    if (input.project) {
      const project = await services.memory.resolveProject(identity, input.project, "read");
      const access = await services.memory.projectAccess(identity, project);
      if (teamId !== null && access.teamId !== teamId) {
        throw new AppError("invalid_input", "project: it does not belong to the token's team.", {
          details: { field: "project" },
        });
      }
      projectId = project.id;
    }
    const now = Date.now();
    const issued = await services.tokens.issue(identity.userId, input.name, {
      now,
      expiresAt: now + input.expires_in_days * 86_400_000,
      scopes,
      teamId,
      projectId,
    });
    return c.json(
      {
        token_id: issued.id,
        token: issued.token,
        name: issued.name,
        scopes: issued.scopes,
        team_id: issued.teamId,
        project_id: issued.projectId,
        expires_at: iso(issued.expiresAt),
        note: "The token is shown once; only its hash is stored.",
      },
      201,
    );
  });
  api.delete("/tokens/:id", async (c) => {
    const identity = c.get("identity");
    const revoked = await c.get("services").tokens.revoke(c.req.param("id"), Date.now(), identity.userId);
    if (!revoked) throw new AppError("not_found", `token ${c.req.param("id")} not found among your active tokens.`);
    return c.json({ revoked: true });
  });
  return api;
}
