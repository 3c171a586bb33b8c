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
    throw new AppError("invalid_input", `${field}: unknown scope(s) ${unknown.join(", ")}; use ${SCOPES.join(", ")}.`, {
      details: { field },
    });
  }
  return [...new Set(list as Scope[])];
}
