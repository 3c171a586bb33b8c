import type { TeamRole } from "../core/access";
import type { Project, ProjectAccess } from "../core/records";

/**
 * Projects and the team memberships that decide who may use them (D1 in production and tests). Only the
 * ProjectResolver reads it: it is the one authorization point for project data.
 */
export interface ProjectStore {
  /**
   * The projects with this exact name in the teams the user is a member of (only in `team`, a team slug or id,
   * when given), with their team and the user's role there. Projects of teams the user is not in are never
   * returned, so nothing about them can leak.
   */
  projectsNamed(name: string, userId: string, team: string | null): Promise<ProjectAccess[]>;
  /** The project by id, if the user is a member of its team. */
  projectAccess(projectId: string, userId: string): Promise<ProjectAccess | null>;
  /** The user's membership of a team named by slug or id. */
  memberTeam(team: string, userId: string): Promise<{ teamId: string; teamSlug: string; role: TeamRole } | null>;
  /** Creates the project in the team; does nothing when another request created the name there first. */
  createProject(project: Project, teamId: string, createdBy: string, now: number): Promise<void>;
  /** The user's personal team (a team of one, created on first need); its id. */
  ensurePersonalTeam(userId: string, now: number): Promise<string>;
  teamRole(teamId: string, userId: string): Promise<TeamRole | null>;
}
