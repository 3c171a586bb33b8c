import { and, eq, or } from "drizzle-orm";
import type { TeamRole } from "../../domain/core/access";
import type { Project, ProjectAccess } from "../../domain/core/records";
import type { ProjectStore } from "../../domain/projects/ports";
import { projects, teamMembers, teams } from "./schema";
import { database, type Db } from "./sql";
import { teamRoleOf } from "./team-store";

/** More projects of one name than a caller can be in is not a real case; the bound keeps the answer small. */
const PROJECT_CANDIDATES = 20;

function toProjectAccess(row: { id: string; slug: string; teamId: string; teamSlug: string; role: TeamRole }) {
  return { project: { id: row.id, slug: row.slug }, teamId: row.teamId, teamSlug: row.teamSlug, role: row.role };
}

/** Projects and team memberships, read for the ProjectResolver's one authorization check. */
export class D1ProjectStore implements ProjectStore {
  private readonly db: Db;

  constructor(d1: D1Database) {
    this.db = database(d1);
  }

  /** Projects joined with their team and the user's membership in it: a project the user cannot see has no row. */
  private accessible(userId: string) {
    return this.db
      .select({
        id: projects.id,
        slug: projects.slug,
        teamId: teams.id,
        teamSlug: teams.slug,
        role: teamMembers.role,
      })
      .from(projects)
      .innerJoin(teams, eq(teams.id, projects.teamId))
      .innerJoin(teamMembers, and(eq(teamMembers.teamId, projects.teamId), eq(teamMembers.userId, userId)));
  }

  async projectsNamed(name: string, userId: string, team: string | null): Promise<ProjectAccess[]> {
    const rows = await this.accessible(userId)
      .where(and(eq(projects.slug, name), team === null ? undefined : or(eq(teams.slug, team), eq(teams.id, team))))
      .orderBy(teams.slug)
      .limit(PROJECT_CANDIDATES);
    return rows.map(toProjectAccess);
  }

  async projectAccess(projectId: string, userId: string): Promise<ProjectAccess | null> {
    const row = await this.accessible(userId).where(eq(projects.id, projectId)).get();
    return row ? toProjectAccess(row) : null;
  }

  async memberTeam(team: string, userId: string): Promise<{ teamId: string; teamSlug: string; role: TeamRole } | null> {
    const row = await this.db
      .select({ teamId: teams.id, teamSlug: teams.slug, role: teamMembers.role })
      .from(teams)
      .innerJoin(teamMembers, and(eq(teamMembers.teamId, teams.id), eq(teamMembers.userId, userId)))
      .where(or(eq(teams.slug, team), eq(teams.id, team)))
      .get();
    return row ?? null;
  }

  async createProject(project: Project, teamId: string, createdBy: string, now: number): Promise<void> {
    await this.db
      .insert(projects)
      .values({ id: project.id, slug: project.slug, legacyKey: `id:${project.id}`, teamId, createdBy, createdAt: now })
      .onConflictDoNothing();
  }

  async ensurePersonalTeam(userId: string, now: number): Promise<string> {
    const id = `personal-${userId}`;
    // Both inserts are idempotent, so concurrent first writes of one user agree on the same team.
    await this.db.batch([
      this.db
        .insert(teams)
        .values({
          id,
          slug: `~${userId}`,
          name: `${userId} (personal)`,
          personal: true,
          createdBy: userId,
          createdAt: now,
        })
        .onConflictDoNothing(),
      this.db
        .insert(teamMembers)
        .values({ teamId: id, userId, role: "owner", addedBy: userId, createdAt: now })
        .onConflictDoNothing(),
    ]);
    return id;
  }

  teamRole(teamId: string, userId: string): Promise<TeamRole | null> {
    return teamRoleOf(this.db, teamId, userId);
  }
}
