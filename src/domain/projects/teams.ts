/**
 * Teams own projects and share their memory. Members have roles (owner, admin, member, viewer); invitations
 * are one-time codes; a removed member loses access at once, because every request reads membership afresh
 * (no role is cached in a token). A personal team is a team of one: it cannot take members.
 */
import { AppError } from "../core/app-error";
import { requireScope, requireWholeAccount, roleAtLeast, type Credential, type TeamRole } from "../core/access";
import type { Runtime } from "../core/ports";
import type { Project } from "../core/records";
import {
  ERROR_CLASS_LIMITS,
  validErrorClass,
  type ErrorClass,
  type ErrorClassStore,
  type StoredErrorClass,
} from "../errors/error-classes";
import type { Invitation, Team, TeamStore } from "./ports";

const TEAM_SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;
const INVITATION_DAYS = { default: 7, max: 30 };

export class TeamService {
  constructor(
    private readonly store: TeamStore,
    private readonly runtime: Runtime,
    private readonly classes: ErrorClassStore | null = null,
  ) {}

  /** The team's error classes (any member may read them: they tag the errors members see). */
  async errorClasses(credential: Credential, slug: string): Promise<StoredErrorClass[]> {
    const { team } = await this.teamFor(credential, slug);
    return this.errorClassStore().list(team.id);
  }

  /** Defines or redefines a class (admins); every error of the team's projects is tagged again. */
  async defineErrorClass(credential: Credential, slug: string, input: ErrorClass) {
    requireScope(credential, "admin", "Defining an error class");
    const { team } = await this.teamFor(credential, slug, "admin");
    const errorClass = validErrorClass(input);
    const existing = await this.errorClassStore().list(team.id);
    if (!existing.some((c) => c.name === errorClass.name) && existing.length >= ERROR_CLASS_LIMITS.perTeam) {
      throw new AppError("conflict", `name: team ${slug} has ${existing.length} error classes, the most allowed.`, {
        details: { field: "name", limit: ERROR_CLASS_LIMITS.perTeam },
      });
    }
    const stored = { ...errorClass, createdBy: credential.userId, createdAt: this.runtime.now() };
    const { tagged } = await this.errorClassStore().define(team.id, stored);
    return { errorClass: stored, tagged };
  }

  /** Removes a class (admins) and its tag from the team's errors. */
  async removeErrorClass(credential: Credential, slug: string, name: string): Promise<void> {
    requireScope(credential, "admin", "Removing an error class");
    const { team } = await this.teamFor(credential, slug, "admin");
    if (!(await this.errorClassStore().remove(team.id, name))) {
      throw new AppError("not_found", `error class "${name}" not found in team ${slug}.`, {
        details: { field: "name" },
      });
    }
  }

  private errorClassStore(): ErrorClassStore {
    if (!this.classes) throw new AppError("unavailable", "Error classes are not configured on this server.");
    return this.classes;
  }

  async create(credential: Credential, input: { slug: string; name: string | null }): Promise<Team> {
    requireScope(credential, "admin", "Creating a team");
    requireWholeAccount(credential, "Creating a team");
    if (!TEAM_SLUG.test(input.slug)) {
      throw new AppError("invalid_input", "slug: 2-63 characters of lowercase letters, digits and '-'.", {
        details: { field: "slug" },
      });
    }
    const team: Team = {
      id: this.runtime.newId(),
      slug: input.slug,
      name: input.name?.trim() || input.slug,
      personal: false,
      createdAt: this.runtime.now(),
    };
    if (!(await this.store.createTeam(team, credential.userId))) {
      throw new AppError("conflict", `slug: team "${input.slug}" already exists.`, { details: { field: "slug" } });
    }
    return team;
  }

  /** The caller's teams with their projects, cut down to what a restricted token covers. */
  async list(credential: Credential): Promise<Array<Team & { role: TeamRole; projects: string[] }>> {
    return (await this.covered(credential)).map((team) => ({
      ...team,
      projects: team.projects.map((project) => project.slug),
    }));
  }

  /** The caller's teams and their projects, cut down to what a restricted token covers. */
  private async covered(credential: Credential) {
    const teams = await this.store.teamsOf(credential.userId);
    return teams
      .filter((team) => credential.teamId === null || team.id === credential.teamId)
      .map((team) => ({
        ...team,
        projects: team.projects.filter(
          (project) => credential.projectId === null || project.id === credential.projectId,
        ),
      }))
      .filter((team) => credential.projectId === null || team.projects.length > 0);
  }

  /**
   * The projects of one of the caller's teams that the credential covers (a project-restricted token: only its
   * project), by name; none when the caller is not a member.
   */
  async projectsOf(credential: Credential, teamId: string): Promise<Project[]> {
    const team = (await this.covered(credential)).find((candidate) => candidate.id === teamId);
    return (team?.projects ?? []).sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  }

  /**
   * The team, if the caller is a member with at least `minimum` (not-members get not_found: no leak). This is
   * the only way to a team, so it is where a token's restriction applies to team routes: a team-restricted
   * token reaches only its team, a project-restricted one no team at all (both as not_found).
   */
  async teamFor(
    credential: Credential,
    slug: string,
    minimum: TeamRole = "viewer",
  ): Promise<{ team: Team; role: TeamRole }> {
    const team = await this.store.teamBySlug(slug);
    const role = team ? await this.store.role(team.id, credential.userId) : null;
    const outside = credential.projectId !== null || (credential.teamId !== null && credential.teamId !== team?.id);
    if (!team || !role || outside) {
      throw new AppError("not_found", `team "${slug}" not found, or you are not a member.`, {
        details: { field: "team" },
      });
    }
    if (!roleAtLeast(role, minimum)) {
      throw new AppError("forbidden", `Your role in team ${slug} is ${role}; this needs ${minimum} or above.`, {
        details: { role, needed: minimum },
      });
    }
    return { team, role };
  }

  async details(credential: Credential, slug: string) {
    const { team, role } = await this.teamFor(credential, slug);
    const [members, invitations] = await Promise.all([
      this.store.members(team.id),
      roleAtLeast(role, "admin") ? this.store.pendingInvitations(team.id, this.runtime.now()) : Promise.resolve([]),
    ]);
    return { team, role, members, invitations };
  }

  async invite(
    credential: Credential,
    slug: string,
    input: { role: Exclude<TeamRole, "owner">; note: string | null; expiresInDays: number | null },
  ): Promise<{ invitation: Invitation; code: string }> {
    requireScope(credential, "admin", "Inviting to a team");
    const { team, role } = await this.teamFor(credential, slug, "admin");
    if (team.personal) {
      throw new AppError(
        "invalid_input",
        `team: ${slug} is a personal team (a team of one). Create a team and move the project to it to share it.`,
        { details: { field: "team" } },
      );
    }
    if (!roleAtLeast(role, input.role)) {
      throw new AppError("forbidden", `role: an ${role} cannot invite an ${input.role}.`, {
        details: { field: "role" },
      });
    }
    const days = input.expiresInDays ?? INVITATION_DAYS.default;
    if (!(days > 0 && days <= INVITATION_DAYS.max)) {
      throw new AppError("invalid_input", `expires_in_days: 1-${INVITATION_DAYS.max}.`, {
        details: { field: "expires_in_days" },
      });
    }
    const now = this.runtime.now();
    // Two random UUIDs: 244 random bits, from the runtime rather than a global.
    const code = `cmi_${this.runtime.newId()}${this.runtime.newId()}`.replace(/-/g, "");
    const invitation: Invitation = {
      id: this.runtime.newId(),
      teamId: team.id,
      role: input.role,
      note: input.note,
      invitedBy: credential.userId,
      createdAt: now,
      expiresAt: now + days * 86_400_000,
      acceptedBy: null,
      acceptedAt: null,
      revokedAt: null,
    };
    await this.store.createInvitation(invitation, await this.runtime.sha256Hex(code));
    return { invitation, code };
  }

  /** Joining a team is the user's own act (memory:write is enough) but never a restricted token's. */
  async accept(credential: Credential, code: string): Promise<{ team: Team; role: TeamRole }> {
    requireScope(credential, "write", "Accepting an invitation");
    requireWholeAccount(credential, "Accepting an invitation");
    const accepted = await this.store.acceptInvitation(
      await this.runtime.sha256Hex(code.trim()),
      credential.userId,
      this.runtime.now(),
    );
    if (!accepted) {
      throw new AppError("not_found", "code: invitation not found, expired, revoked or already used.", {
        details: { field: "code" },
      });
    }
    return accepted;
  }

  async revokeInvitation(credential: Credential, slug: string, invitationId: string): Promise<void> {
    requireScope(credential, "admin", "Revoking an invitation");
    const { team } = await this.teamFor(credential, slug, "admin");
    if (!(await this.store.revokeInvitation(team.id, invitationId, this.runtime.now()))) {
      throw new AppError("not_found", `invitation ${invitationId} not found or no longer pending.`);
    }
  }

  /**
   * Owners change anyone's role; admins change members and viewers (up to admin). The last owner cannot be
   * demoted, so a team never ends up without one.
   */
  async changeRole(credential: Credential, slug: string, userId: string, newRole: TeamRole): Promise<void> {
    requireScope(credential, "admin", "Changing a member's role");
    const { team, role } = await this.teamFor(credential, slug, "admin");
    const current = await this.store.role(team.id, userId);
    if (!current) throw new AppError("not_found", `user ${userId} is not a member of team ${slug}.`);
    if (role !== "owner" && (roleAtLeast(current, "admin") || newRole === "owner")) {
      throw new AppError("forbidden", "Only an owner can change an admin's or owner's role, or make an owner.");
    }
    if (current === "owner" && newRole !== "owner" && (await this.store.countOwners(team.id)) <= 1) {
      throw new AppError(
        "conflict",
        `user ${userId} is the last owner of team ${slug}; make someone else owner first.`,
      );
    }
    await this.store.setRole(team.id, userId, newRole);
  }

  /** Admins remove members and viewers, owners anyone; anyone may leave. Access ends with the next request. */
  async removeMember(credential: Credential, slug: string, userId: string): Promise<void> {
    const leaving = userId === credential.userId;
    requireScope(credential, leaving ? "write" : "admin", leaving ? "Leaving a team" : "Removing a member");
    const { team, role } = await this.teamFor(credential, slug, leaving ? "viewer" : "admin");
    const current = await this.store.role(team.id, userId);
    if (!current) throw new AppError("not_found", `user ${userId} is not a member of team ${slug}.`);
    if (!leaving && role !== "owner" && roleAtLeast(current, "admin")) {
      throw new AppError("forbidden", "Only an owner can remove an admin or owner.");
    }
    if (current === "owner" && (await this.store.countOwners(team.id)) <= 1) {
      throw new AppError(
        "conflict",
        `user ${userId} is the last owner of team ${slug}; make someone else owner first.`,
      );
    }
    await this.store.removeMember(team.id, userId);
  }

  /** Moves a project between teams; the caller must be an admin of both. */
  async transferProject(
    credential: Credential,
    project: { id: string; teamId: string },
    toSlug: string,
  ): Promise<Team> {
    requireScope(credential, "admin", "Moving a project to another team");
    const from = await this.store.role(project.teamId, credential.userId);
    if (!from || !roleAtLeast(from, "admin")) {
      throw new AppError("forbidden", "Moving a project needs the admin role in the team that owns it.");
    }
    const { team } = await this.teamFor(credential, toSlug, "admin");
    await this.store.transferProject(project.id, team.id);
    return team;
  }
}
