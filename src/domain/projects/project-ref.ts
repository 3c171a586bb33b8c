/**
 * Which project a `project_id` names. Project names are unique within a team, not globally (migration 0016):
 * `team/project` names one team's project (the team by slug or id), and a plain `project` is looked up among
 * the caller's own teams only, so no answer ever depends on what another team has. This is the authorization
 * point for project data: scope, team role and token restriction are all checked here.
 */
import { requireRole, requireScope, type Access } from "../core/access";
import { AppError } from "../core/app-error";
import type { ProjectStore } from "./ports";
import type { Runtime } from "../core/ports";
import type { Identity, Project, ProjectAccess } from "../core/records";

export interface ProjectRef {
  /** The team part of `team/project`, or null for a plain name. */
  team: string | null;
  name: string;
}

/** `team/project` splits at the first '/'; anything else is a plain name. */
export function parseProjectRef(value: string): ProjectRef {
  const slash = value.indexOf("/");
  if (slash <= 0 || slash === value.length - 1) return { team: null, name: value };
  return { team: value.slice(0, slash), name: value.slice(slash + 1) };
}

/** The unambiguous `team/project` reference of a project. */
export function projectRefOf(access: ProjectAccess): string {
  return `${access.teamSlug}/${access.project.slug}`;
}

export function projectNotFound(ref: string): AppError {
  return new AppError(
    "not_found",
    `project_id: project "${ref}" not found, or you are not a member. Projects are created by the first write ` +
      `(coding_start_session, coding_record_error, …) of a signed-in user.`,
    { details: { field: "project_id" } },
  );
}

/** Whether a token restricted to a team or project may act on this one (OAuth grants are never restricted). */
export function withinRestriction(identity: Identity, access: { project: Project; teamId: string }): boolean {
  return (
    (identity.projectId === null || identity.projectId === access.project.id) &&
    (identity.teamId === null || identity.teamId === access.teamId)
  );
}

export class ProjectResolver {
  constructor(
    private readonly store: ProjectStore,
    private readonly runtime: Runtime,
  ) {}

  /** The projects the reference can mean for this caller, within their token's restriction. */
  async candidates(identity: Identity, value: string): Promise<{ ref: ProjectRef; found: ProjectAccess[] }> {
    const ref = parseProjectRef(value);
    let found = await this.store.projectsNamed(ref.name, identity.userId, ref.team);
    // Names with a '/' made before team addressing existed stay reachable by their whole name.
    if (ref.team !== null && found.length === 0) {
      const legacy = await this.store.projectsNamed(value, identity.userId, null);
      if (legacy.length)
        return { ref: { team: null, name: value }, found: legacy.filter((f) => withinRestriction(identity, f)) };
    }
    found = found.filter((candidate) => withinRestriction(identity, candidate));
    return { ref, found };
  }

  /**
   * The project a call is about, if the caller may do `mode` there: a member of the team that owns it, with a
   * role and a credential scope that allow it, and a token not restricted to another team or project. A
   * project the caller cannot see answers "not found" whatever the reason. Writes create a missing project, as
   * the original product did implicitly: in the named team, else the token's team, else the caller's personal
   * team. Another team's project of the same name is never seen, so creating one reveals nothing.
   */
  async resolve(identity: Identity, value: string, mode: Access, create: boolean): Promise<ProjectAccess> {
    const { ref, found } = await this.candidates(identity, value);
    if (found.length > 1) {
      const candidates = found.map(projectRefOf);
      throw new AppError(
        "invalid_input",
        `project_id: "${value}" names a project in several of your teams: ${candidates.join(", ")}. ` +
          "Name one as team/project.",
        { details: { field: "project_id", candidates } },
      );
    }
    const existing = found[0];
    if (existing) {
      requireScope(identity, mode, `This call on project ${value}`);
      requireRole(existing.role, mode, `the team of project ${value}`);
      return existing;
    }
    if (mode === "read" || !create || identity.projectId !== null) throw projectNotFound(value);
    requireScope(identity, mode, `Creating project ${value}`);
    const now = this.runtime.now();
    let team: { teamId: string; role: ProjectAccess["role"] };
    if (ref.team !== null) {
      // The caller's own personal team (`~user`) exists from its first use, named or not.
      if (ref.team === `~${identity.userId}` && identity.teamId === null) {
        await this.store.ensurePersonalTeam(identity.userId, now);
      }
      const member = await this.store.memberTeam(ref.team, identity.userId);
      if (!member || (identity.teamId !== null && identity.teamId !== member.teamId)) throw projectNotFound(value);
      team = member;
    } else if (identity.teamId !== null) {
      const role = await this.store.teamRole(identity.teamId, identity.userId);
      if (!role) throw projectNotFound(value);
      team = { teamId: identity.teamId, role };
    } else {
      team = { teamId: await this.store.ensurePersonalTeam(identity.userId, now), role: "owner" };
    }
    requireRole(team.role, mode, ref.team !== null ? `team ${ref.team}` : "this token's team");
    await this.store.createProject({ id: this.runtime.newId(), slug: ref.name }, team.teamId, identity.userId, now);
    // Another request may have created the same name in this team first: then both use that one.
    const created = (await this.store.projectsNamed(ref.name, identity.userId, team.teamId))[0];
    if (!created) throw projectNotFound(value);
    return created;
  }
}
