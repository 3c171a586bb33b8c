/**
 * Who may do what. A user's role in the team that owns a project bounds what they can do there; the scopes of
 * the credential they call with (OAuth grant or API token) bound it further, and a token may be restricted to
 * one team or one project. Both must allow an action.
 */
import { AppError } from "./app-error";

export const SCOPES = ["memory:read", "memory:write", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: unknown): value is Scope {
  return (SCOPES as readonly unknown[]).includes(value);
}

export const TEAM_ROLES = ["owner", "admin", "member", "viewer"] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/** What an action needs: reading memory, writing it, or administering (settings, members, tokens, webhooks). */
export type Access = "read" | "write" | "admin";

const ROLE_RANK: Record<TeamRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };
const NEEDED_RANK: Record<Access, number> = { read: 0, write: 1, admin: 2 };
/** The scope each access needs; a broader scope includes the narrower ones (admin ⊃ memory:write ⊃ memory:read). */
const SCOPE_FOR: Record<Access, Scope> = { read: "memory:read", write: "memory:write", admin: "admin" };
const SCOPE_RANK: Record<Scope, number> = { "memory:read": 0, "memory:write": 1, admin: 2 };

export function roleAllows(role: TeamRole, access: Access): boolean {
  return ROLE_RANK[role] >= NEEDED_RANK[access];
}

export function roleAtLeast(role: TeamRole, other: TeamRole): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[other];
}

/** Whether the scopes include `scope` or a broader one. */
export function scopeCovered(scopes: readonly Scope[], scope: Scope): boolean {
  return scopes.some((held) => SCOPE_RANK[held] >= SCOPE_RANK[scope]);
}

export function scopesAllow(scopes: readonly Scope[], access: Access): boolean {
  const needed = SCOPE_RANK[SCOPE_FOR[access]];
  return scopes.some((scope) => SCOPE_RANK[scope] >= needed);
}

/** The credential's side of every check: who, with which scopes, limited to what. */
export interface Credential {
  userId: string;
  scopes: Scope[];
  /** Set when the token only works on this team's projects. */
  teamId: string | null;
  /** Set when the token only works on this one project. */
  projectId: string | null;
  /** Which credential this is (an API token's id, or user + OAuth client), for per-credential rate limits. */
  credentialId?: string;
  /** When an API token expires (null: never); a token it mints may not outlive it. OAuth grants leave it unset. */
  expiresAt?: number | null;
}

export function requireScope(credential: Credential, access: Access, what: string): void {
  if (!scopesAllow(credential.scopes, access)) {
    throw new AppError(
      "forbidden",
      `${what} needs the ${SCOPE_FOR[access]} scope; this credential has ${credential.scopes.join(", ") || "none"}. ` +
        "Sign in again granting it, or use a token that has it.",
      { details: { needed_scope: SCOPE_FOR[access], scopes: credential.scopes } },
    );
  }
}

export function requireRole(role: TeamRole, access: Access, where: string): void {
  if (!roleAllows(role, access)) {
    throw new AppError(
      "forbidden",
      `Your role in ${where} is ${role}, which cannot ${access === "read" ? "read" : access === "write" ? "write memory" : "administer"} there.` +
        (access === "write" ? " Ask a team admin to make you a member." : " Ask a team owner or admin."),
      { details: { role, needed: access } },
    );
  }
}

/** Parses a stored or requested scope list, refusing unknown scopes by name. */
export function parseScopes(value: unknown, field = "scopes"): Scope[] {
  const list = typeof value === "string" ? value.split(/[\s,]+/).filter(Boolean) : value;
  if (!Array.isArray(list))
    throw new AppError("invalid_input", `${field}: expected a list of scopes.`, { details: { field } });
  const unknown = list.filter((scope) => !isScope(scope));
  if (unknown.length) {
    throw new AppError(
      "invalid_input",
      `${field}: unknown ${unknown.length === 1 ? "scope" : "scopes"} ${unknown.join(", ")}; use ${SCOPES.join(", ")}.`,
      {
        details: { field },
      },
    );
  }
  return [...new Set(list as Scope[])];
}

/**
 * What an account route (teams, members, invitations, tokens, webhooks, transfers) acts on. It decides how a
 * token's team or project restriction applies, so every route states it and one function checks it:
 * - `account`: the user's whole account (create a team, join one). A restricted token is refused (403): what it
 *   would create or join lies outside its restriction by definition.
 * - `team`: one named team. Reachable only through TeamService.teamFor, which answers "not found" for a team
 *   outside the restriction (a project-restricted token reaches no team).
 * - `project`: one named project, through the project authorization point (ProjectResolver).
 * - `own`: the credential's own view of the account (list teams, list/mint/revoke tokens): the answer is cut
 *   down to what the restriction covers, and a minted token is never wider than its parent.
 */
export type AccountTarget = "account" | "team" | "project" | "own";

export interface AccountRule {
  access: Access;
  on: AccountTarget;
}

export function isRestricted(credential: Credential): boolean {
  return credential.teamId !== null || credential.projectId !== null;
}

/** Refuses a restricted token an action on the whole account. */
export function requireWholeAccount(credential: Credential, what: string): void {
  if (isRestricted(credential)) {
    throw new AppError(
      "forbidden",
      `${what} acts on your whole account; this token is restricted to one ` +
        `${credential.projectId !== null ? "project" : "team"}. Use an unrestricted token or sign in with OAuth.`,
      { details: { restricted_to: credential.projectId !== null ? "project" : "team" } },
    );
  }
}

/** The one check every account route passes before its handler runs: the scope, then the restriction kind. */
export function authorizeAccount(credential: Credential, rule: AccountRule, what: string): void {
  requireScope(credential, rule.access, what);
  if (rule.on === "account") requireWholeAccount(credential, what);
}

/**
 * Whether a token restricted as `inner` is covered by `outer`'s restriction (team and project ids; a
 * project-restricted token's team is the team owning its project, `projectTeamId`).
 */
export function restrictionCovers(
  outer: Pick<Credential, "teamId" | "projectId">,
  inner: { teamId: string | null; projectId: string | null; projectTeamId: string | null },
): boolean {
  if (outer.projectId !== null) return inner.projectId === outer.projectId;
  if (outer.teamId !== null) {
    return inner.teamId === outer.teamId || (inner.teamId === null && inner.projectTeamId === outer.teamId);
  }
  return true;
}
