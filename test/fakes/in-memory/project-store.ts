import type { TeamRole } from "../../../src/domain/core/access";
import type { Project, ProjectAccess } from "../../../src/domain/core/records";
import type { ProjectStore } from "../../../src/domain/projects/ports";
import { memberKey, type MemoryRecords, type ProjectRow } from "./records";

/** Twin of D1ProjectStore: projects seen only through the caller's team memberships. */
export class InMemoryProjectStore implements ProjectStore {
  constructor(private readonly records: MemoryRecords) {}

  async projectsNamed(name: string, userId: string, team: string | null): Promise<ProjectAccess[]> {
    const found: ProjectAccess[] = [];
    for (const row of this.records.projects.values()) {
      if (row.slug !== name) continue;
      const access = this.accessOf(row, userId);
      if (access && (team === null || access.teamSlug === team || access.teamId === team)) found.push(access);
    }
    return found.sort((a, b) => (a.teamSlug < b.teamSlug ? -1 : a.teamSlug > b.teamSlug ? 1 : 0)).slice(0, 20);
  }

  async projectAccess(projectId: string, userId: string): Promise<ProjectAccess | null> {
    const row = this.records.projects.get(projectId);
    return row ? this.accessOf(row, userId) : null;
  }

  async memberTeam(team: string, userId: string) {
    for (const row of this.records.teams.values()) {
      if (row.slug !== team && row.id !== team) continue;
      const member = this.records.members.get(memberKey(row.id, userId));
      if (member) return { teamId: row.id, teamSlug: row.slug, role: member.role };
    }
    return null;
  }

  async createProject(project: Project, teamId: string, createdBy: string, now: number): Promise<void> {
    // Like the D1 insert's ON CONFLICT DO NOTHING: the id, or the name within the team, may already be taken.
    if (this.records.projects.has(project.id)) return;
    for (const row of this.records.projects.values()) if (row.teamId === teamId && row.slug === project.slug) return;
    this.records.projects.set(project.id, { id: project.id, slug: project.slug, teamId, createdBy, createdAt: now });
  }

  async ensurePersonalTeam(userId: string, now: number): Promise<string> {
    const id = `personal-${userId}`;
    if (!this.records.teams.has(id)) {
      this.records.teams.set(id, {
        id,
        slug: `~${userId}`,
        name: `${userId} (personal)`,
        personal: true,
        createdBy: userId,
        createdAt: now,
      });
    }
    const key = memberKey(id, userId);
    if (!this.records.members.has(key)) this.records.members.set(key, { teamId: id, userId, role: "owner" });
    return id;
  }

  async teamRole(teamId: string, userId: string): Promise<TeamRole | null> {
    return this.records.members.get(memberKey(teamId, userId))?.role ?? null;
  }

  private accessOf(row: ProjectRow, userId: string): ProjectAccess | null {
    const team = this.records.teams.get(row.teamId);
    const member = this.records.members.get(memberKey(row.teamId, userId));
    if (!team || !member) return null;
    return { project: { id: row.id, slug: row.slug }, teamId: team.id, teamSlug: team.slug, role: member.role };
  }
}
