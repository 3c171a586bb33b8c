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

/** Teams own projects; their members' roles decide who may do what there (TeamService, the ProjectResolver). */
export interface Team {
  id: string;
  slug: string;
  name: string;
  personal: boolean;
  createdAt: number;
}

export interface TeamMember {
  userId: string;
  role: TeamRole;
  addedBy: string;
  createdAt: number;
}

export interface Invitation {
  id: string;
  teamId: string;
  role: Exclude<TeamRole, "owner">;
  note: string | null;
  invitedBy: string;
  createdAt: number;
  expiresAt: number;
  acceptedBy: string | null;
  acceptedAt: number | null;
  revokedAt: number | null;
}

/** Teams, members and invitations (D1); account routes use it through TeamService. */
export interface TeamStore {
  createTeam(team: Team, owner: string): Promise<boolean>;
  teamBySlug(slug: string): Promise<Team | null>;
  teamsOf(userId: string): Promise<Array<Team & { role: TeamRole; projects: Array<{ id: string; slug: string }> }>>;
  members(teamId: string): Promise<TeamMember[]>;
  role(teamId: string, userId: string): Promise<TeamRole | null>;
  setRole(teamId: string, userId: string, role: TeamRole): Promise<boolean>;
  removeMember(teamId: string, userId: string): Promise<boolean>;
  countOwners(teamId: string): Promise<number>;
  createInvitation(invitation: Invitation, codeHash: string): Promise<void>;
  pendingInvitations(teamId: string, now: number): Promise<Invitation[]>;
  /** Marks the invitation accepted and adds the member in one batch; null when the code is unknown or used. */
  acceptInvitation(codeHash: string, userId: string, now: number): Promise<{ team: Team; role: TeamRole } | null>;
  revokeInvitation(teamId: string, invitationId: string, now: number): Promise<boolean>;
  /** Moves the project to another team; the new team's members share it from then on. */
  transferProject(projectId: string, teamId: string): Promise<void>;
}
