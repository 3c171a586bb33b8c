import { Hono, type Context } from "hono";
import { z } from "zod";
import type { TokenInfo } from "../auth/tokens";
import { classTag, type StoredErrorClass } from "../domain/errors/error-classes";
import {
  authorizeAccount,
  parseScopes,
  restrictionCovers,
  scopeCovered,
  SCOPES,
  TEAM_ROLES,
  type Access,
  type AccountRule,
  type Scope,
} from "../domain/core/access";
import { projectRefOf } from "../domain/projects/project-ref";
import type { ProjectAccess } from "../domain/core/records";
import { AppError } from "../domain/core/app-error";
import type { Invitation, Team, TeamMember } from "../domain/projects/ports";
import { projectIdField } from "../mcp/schema";
import { jsonBody, limitBody, urlProjectName, type RestEnv } from "./input";

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
const errorClassBody = z.object({
  name: z.string().min(1).max(48).describe("e.g. flaky-network: errors of the class are tagged class:<name>."),
  type_contains: z.string().min(1).max(200).nullish().describe("The exception type contains this (any case)."),
  message_contains: z.string().min(1).max(200).nullish().describe("The message contains this (any case)."),
  frame_contains: z.string().min(1).max(200).nullish().describe("The stack trace contains this (any case)."),
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
 * Every account route and what it needs: a scope and the kind of thing it acts on, which decides how a token's
 * team/project restriction applies (see AccountTarget). Routes are registered only from this table, through
 * one function that checks the rule before the handler runs, so no route can forget it.
 */
export const ACCOUNT_ROUTES = {
  "GET /teams": { access: "read", on: "own" },
  "POST /teams": { access: "admin", on: "account" },
  "GET /teams/:team": { access: "read", on: "team" },
  "POST /teams/:team/invitations": { access: "admin", on: "team" },
  "GET /teams/:team/error-classes": { access: "read", on: "team" },
  "POST /teams/:team/error-classes": { access: "admin", on: "team" },
  "DELETE /teams/:team/error-classes/:name": { access: "admin", on: "team" },
  "DELETE /teams/:team/invitations/:id": { access: "admin", on: "team" },
  "POST /invitations/accept": { access: "write", on: "account" },
  "PATCH /teams/:team/members/:user": { access: "admin", on: "team" },
  // Leaving a team needs memory:write; removing someone else needs admin (TeamService.removeMember).
  "DELETE /teams/:team/members/:user": { access: "write", on: "team" },
  "POST /projects/:project/transfer": { access: "admin", on: "project" },
  "POST /projects/:project/webhooks": { access: "admin", on: "project" },
  "GET /projects/:project/webhooks": { access: "admin", on: "project" },
  "DELETE /projects/:project/webhooks": { access: "admin", on: "project" },
  "GET /projects/:project/webhooks/deliveries": { access: "admin", on: "project" },
  "GET /tokens": { access: "admin", on: "own" },
  "POST /tokens": { access: "admin", on: "own" },
  "DELETE /tokens/:id": { access: "admin", on: "own" },
} as const satisfies Record<string, AccountRule>;

type AccountRoute = keyof typeof ACCOUNT_ROUTES;

/** The project an account route is about, through the project authorization point. */
async function projectOf(c: Context<RestEnv>, access: Access): Promise<ProjectAccess> {
  return c.get("services").projects.resolveProjectAccess(c.get("identity"), urlProjectName(c), access, {
    create: false,
  });
}

const errorClassView = (errorClass: StoredErrorClass) => ({
  name: errorClass.name,
  tag: classTag(errorClass.name),
  type_contains: errorClass.typeContains,
  message_contains: errorClass.messageContains,
  frame_contains: errorClass.frameContains,
  created_by: errorClass.createdBy,
  created_at: iso(errorClass.createdAt),
});

const tokenView = (token: TokenInfo) => ({
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
});

/**
 * Account-level routes (not about one project's memory): teams, members, invitations, API tokens, CI webhooks,
 * moving a project between teams. Operator-style, so they are REST only and keep the MCP tool list small.
 */
export function accountRoutes(): Hono<RestEnv> {
  const api = new Hono<RestEnv>();
  const route = (key: AccountRoute, handler: (c: Context<RestEnv>) => Promise<Response>) => {
    const [method, path] = key.split(" ") as [string, string];
    api.on(
      method,
      path,
      async (c, next) => {
        authorizeAccount(c.get("identity"), ACCOUNT_ROUTES[key], `${method} /api/v1${path}`);
        await next();
      },
      // Checked after the authorization, as when the handler read the body itself.
      limitBody(),
      handler,
    );
  };

  route("GET /teams", async (c) => {
    const teams = await c.get("services").accounts.teams.list(c.get("identity"));
    return c.json({ teams: teams.map((team) => ({ ...teamView(team), role: team.role, projects: team.projects })) });
  });
  route("POST /teams", async (c) => {
    const input = await jsonBody(c, createTeamBody);
    const team = await c
      .get("services")
      .accounts.teams.create(c.get("identity"), { slug: input.slug, name: input.name ?? null });
    return c.json({ ...teamView(team), role: "owner" }, 201);
  });
  route("GET /teams/:team", async (c) => {
    const { team, role, members, invitations } = await c
      .get("services")
      .accounts.teams.details(c.get("identity"), c.req.param("team") ?? "");
    return c.json({
      ...teamView(team),
      role,
      members: members.map(memberView),
      pending_invitations: invitations.map(invitationView),
    });
  });
  route("POST /teams/:team/invitations", async (c) => {
    const input = await jsonBody(c, inviteBody);
    const { invitation, code } = await c
      .get("services")
      .accounts.teams.invite(c.get("identity"), c.req.param("team") ?? "", {
        role: input.role,
        note: input.note ?? null,
        expiresInDays: input.expires_in_days ?? null,
      });
    return c.json(
      { ...invitationView(invitation), code, note_to_inviter: "The code is shown once; send it to the invitee." },
      201,
    );
  });
  route("DELETE /teams/:team/invitations/:id", async (c) => {
    await c
      .get("services")
      .accounts.teams.revokeInvitation(c.get("identity"), c.req.param("team") ?? "", c.req.param("id") ?? "");
    return c.json({ revoked: true });
  });
  // A team's named error classes (src/domain/errors/error-classes.ts): members read them, admins change them.
  route("GET /teams/:team/error-classes", async (c) => {
    const classes = await c.get("services").accounts.teams.errorClasses(c.get("identity"), c.req.param("team") ?? "");
    return c.json({ error_classes: classes.map(errorClassView) });
  });
  route("POST /teams/:team/error-classes", async (c) => {
    const input = await jsonBody(c, errorClassBody);
    const { errorClass, tagged } = await c
      .get("services")
      .accounts.teams.defineErrorClass(c.get("identity"), c.req.param("team") ?? "", {
        name: input.name,
        typeContains: input.type_contains ?? null,
        messageContains: input.message_contains ?? null,
        frameContains: input.frame_contains ?? null,
      });
    return c.json({ ...errorClassView(errorClass), tagged_errors: tagged }, 201);
  });
  route("DELETE /teams/:team/error-classes/:name", async (c) => {
    await c
      .get("services")
      .accounts.teams.removeErrorClass(c.get("identity"), c.req.param("team") ?? "", c.req.param("name") ?? "");
    return c.json({ removed: true });
  });
  route("POST /invitations/accept", async (c) => {
    const input = await jsonBody(c, acceptBody);
    const { team, role } = await c.get("services").accounts.teams.accept(c.get("identity"), input.code);
    return c.json({ team: teamView(team), role });
  });
  route("PATCH /teams/:team/members/:user", async (c) => {
    const input = await jsonBody(c, roleBody);
    const user = c.req.param("user") ?? "";
    await c.get("services").accounts.teams.changeRole(c.get("identity"), c.req.param("team") ?? "", user, input.role);
    return c.json({ user_id: user, role: input.role });
  });
  route("DELETE /teams/:team/members/:user", async (c) => {
    const user = c.req.param("user") ?? "";
    await c.get("services").accounts.teams.removeMember(c.get("identity"), c.req.param("team") ?? "", user);
    return c.json({ removed: user });
  });
  route("POST /projects/:project/transfer", async (c) => {
    const access = await projectOf(c, "admin");
    const input = await jsonBody(c, transferBody);
    const team = await c
      .get("services")
      .accounts.teams.transferProject(c.get("identity"), { id: access.project.id, teamId: access.teamId }, input.team);
    return c.json({ project_id: access.project.slug, team: teamView(team) });
  });

  // CI webhook of a project: set or rotate its secret (shown once), see it without the secret, remove it.
  route("POST /projects/:project/webhooks", async (c) => {
    const access = await projectOf(c, "admin");
    const { project } = access;
    const input = await jsonBody(c, webhookBody);
    const services = c.get("services");
    const secret = `whsec_${crypto.randomUUID().replace(/-/g, "")}${crypto.randomUUID().replace(/-/g, "")}`;
    // Answers 409 when another project holds the repository (D1WebhookStore.configure).
    await services.ci.webhooks.configure(
      project.id,
      secret,
      input.repository ?? null,
      c.get("identity").userId,
      Date.now(),
    );
    const origin = new URL(c.req.url).origin;
    // The team-qualified name: unambiguous even when another team has a project of the same name.
    const ref = encodeURIComponent(projectRefOf(access));
    return c.json(
      {
        project_id: project.slug,
        secret,
        repository: input.repository ?? null,
        github_url: `${origin}/webhooks/github?project=${ref}`,
        ci_url: `${origin}/webhooks/ci/${ref}`,
        note:
          "The secret is shown once. GitHub: content type application/json, events workflow_run and check_run. " +
          "Other CI: send X-Signature-Timestamp (Unix seconds) and X-Signature-256: sha256=<hex HMAC-SHA256 of " +
          "'<timestamp>.<body>'>; timestamps over 5 minutes old are refused.",
      },
      201,
    );
  });
  route("GET /projects/:project/webhooks", async (c) => {
    const { project } = await projectOf(c, "admin");
    const config = await c.get("services").ci.webhooks.forProject(project.id);
    if (!config) throw new AppError("not_found", `project ${project.slug} has no CI webhook; POST one to create it.`);
    return c.json({ project_id: project.slug, repository: config.repository, configured_by: config.createdBy });
  });
  route("DELETE /projects/:project/webhooks", async (c) => {
    const { project } = await projectOf(c, "admin");
    if (!(await c.get("services").ci.webhooks.remove(project.id))) {
      throw new AppError("not_found", "no CI webhook to remove.");
    }
    return c.json({ removed: true });
  });

  // What CI sent lately and what each delivery recorded (duplicates and refused deliveries are not kept).
  route("GET /projects/:project/webhooks/deliveries", async (c) => {
    const { project } = await projectOf(c, "admin");
    const deliveries = await c.get("services").ci.webhooks.recentDeliveries(project.id, 20);
    return c.json({
      deliveries: deliveries.map((delivery) => ({
        delivery_id: delivery.deliveryId,
        source: delivery.source,
        event: delivery.event,
        received_at: iso(delivery.receivedAt),
        errors_recorded: delivery.errorsRecorded,
      })),
    });
  });

  // A restricted token sees and revokes only the tokens its restriction covers, and mints none wider.
  route("GET /tokens", async (c) => {
    const identity = c.get("identity");
    const tokens = await c.get("services").accounts.tokens.list(identity.userId);
    return c.json({ tokens: tokens.filter((token) => restrictionCovers(identity, token)).map(tokenView) });
  });
  route("POST /tokens", async (c) => {
    const identity = c.get("identity");
    const input = await jsonBody(c, tokenBody);
    const scopes: Scope[] = parseScopes(input.scopes);
    const wider = scopes.filter((scope) => !scopeCovered(identity.scopes, scope));
    if (wider.length) {
      throw new AppError("forbidden", `scopes: this credential cannot grant ${wider.join(", ")}.`, {
        details: { field: "scopes" },
      });
    }
    const services = c.get("services");
    let teamId: string | null = identity.teamId;
    let projectId: string | null = identity.projectId;
    if (input.team) {
      // teamFor refuses a team outside this token's restriction (and any team to a project-restricted token).
      const { team } = await services.accounts.teams.teamFor(identity, input.team, "member");
      teamId = team.id;
    }
    if (input.project) {
      const access = await services.projects.resolveProjectAccess(identity, input.project, "read");
      if (teamId !== null && access.teamId !== teamId) {
        throw new AppError("invalid_input", "project: it does not belong to the token's team.", {
          details: { field: "project" },
        });
      }
      projectId = access.project.id;
    }
    const now = Date.now();
    // Never outliving the token that made it: the lifetime is capped at the parent's expiry.
    const requested = now + input.expires_in_days * 86_400_000;
    const parentExpiry = identity.expiresAt ?? null;
    const expiresAt = parentExpiry === null ? requested : Math.min(requested, parentExpiry);
    const issued = await services.accounts.tokens.issue(identity.userId, input.name, {
      now,
      expiresAt,
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
  route("DELETE /tokens/:id", async (c) => {
    const identity = c.get("identity");
    const tokenId = c.req.param("id") ?? "";
    const services = c.get("services");
    const token = await services.accounts.tokens.find(identity.userId, tokenId);
    const revoked =
      token !== null &&
      restrictionCovers(identity, token) &&
      (await services.accounts.tokens.revoke(tokenId, Date.now(), identity.userId));
    if (!revoked) throw new AppError("not_found", `token ${tokenId} not found among your active tokens.`);
    return c.json({ revoked: true });
  });
  return api;
}
