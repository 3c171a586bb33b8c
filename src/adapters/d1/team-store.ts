import { and, count, eq, gt, isNull, sql } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type { TeamRole } from "../../domain/core/access";
import { AppError } from "../../domain/core/app-error";
import type { Invitation, Team, TeamMember, TeamStore } from "../../domain/projects/ports";
import * as schema from "./schema";

const { projects, teamInvitations, teamMembers, teams } = schema;
type Db = DrizzleD1Database<typeof schema>;

/** The user's role in the team, or null: the one query both the team store and the memory store ask. */
export async function teamRoleOf(db: Db, teamId: string, userId: string): Promise<TeamRole | null> {
  const row = await db
    .select({ role: teamMembers.role })
    .from(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
    .get();
  return row?.role ?? null;
}

export class D1TeamStore implements TeamStore {
  private readonly db: Db;

  constructor(d1: D1Database) {
    this.db = drizzle(d1, { schema });
  }

  async createTeam(team: Team, owner: string): Promise<boolean> {
    // The owner row is added only when this request's team row won the slug.
    const [inserted] = await this.db.batch([
      this.db
        .insert(teams)
        .values({ ...team, createdBy: owner })
        .onConflictDoNothing()
        .returning({ id: teams.id }),
      this.db.insert(teamMembers).select(
        this.db
          .select({
            teamId: teams.id,
            userId: sql<string>`${owner}`.as("user_id"),
            role: sql<TeamRole>`'owner'`.as("role"),
            addedBy: sql<string>`${owner}`.as("added_by"),
            createdAt: sql<number>`${team.createdAt}`.as("created_at"),
          })
          .from(teams)
          .where(eq(teams.id, team.id)),
      ),
    ]);
    return inserted.length > 0;
  }

  async teamBySlug(slug: string): Promise<Team | null> {
    const row = await this.db.select().from(teams).where(eq(teams.slug, slug)).get();
    return row ? toTeam(row) : null;
  }

  async teamsOf(
    userId: string,
  ): Promise<Array<Team & { role: TeamRole; projects: Array<{ id: string; slug: string }> }>> {
    const rows = await this.db
      .select({ team: teams, role: teamMembers.role, project: { id: projects.id, slug: projects.slug } })
      .from(teamMembers)
      .innerJoin(teams, eq(teams.id, teamMembers.teamId))
      .leftJoin(projects, eq(projects.teamId, teams.id))
      .where(eq(teamMembers.userId, userId))
      .orderBy(teams.slug, projects.slug);
    const byId = new Map<string, Team & { role: TeamRole; projects: Array<{ id: string; slug: string }> }>();
    for (const row of rows) {
      const entry = byId.get(row.team.id) ?? { ...toTeam(row.team), role: row.role, projects: [] };
      if (row.project) entry.projects.push(row.project);
      byId.set(row.team.id, entry);
    }
    return [...byId.values()];
  }

  members(teamId: string): Promise<TeamMember[]> {
    return this.db
      .select({
        userId: teamMembers.userId,
        role: teamMembers.role,
        addedBy: teamMembers.addedBy,
        createdAt: teamMembers.createdAt,
      })
      .from(teamMembers)
      .where(eq(teamMembers.teamId, teamId))
      .orderBy(teamMembers.createdAt);
  }

  role(teamId: string, userId: string): Promise<TeamRole | null> {
    return teamRoleOf(this.db, teamId, userId);
  }

  async setRole(teamId: string, userId: string, role: TeamRole): Promise<boolean> {
    const result = await this.db
      .update(teamMembers)
      .set({ role })
      .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
      .run();
    return result.meta.changes > 0;
  }

  async removeMember(teamId: string, userId: string): Promise<boolean> {
    const result = await this.db
      .delete(teamMembers)
      .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
      .run();
    return result.meta.changes > 0;
  }

  async countOwners(teamId: string): Promise<number> {
    const row = await this.db
      .select({ n: count() })
      .from(teamMembers)
      .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.role, "owner")))
      .get();
    return row?.n ?? 0;
  }

  async createInvitation(invitation: Invitation, codeHash: string): Promise<void> {
    await this.db.insert(teamInvitations).values({ ...invitation, codeHash });
  }

  async pendingInvitations(teamId: string, now: number): Promise<Invitation[]> {
    const rows = await this.db
      .select()
      .from(teamInvitations)
      .where(
        and(
          eq(teamInvitations.teamId, teamId),
          isNull(teamInvitations.acceptedAt),
          isNull(teamInvitations.revokedAt),
          gt(teamInvitations.expiresAt, now),
        ),
      )
      .orderBy(teamInvitations.createdAt);
    return rows.map(({ codeHash: _hash, ...invitation }) => invitation);
  }

  async acceptInvitation(
    codeHash: string,
    userId: string,
    now: number,
  ): Promise<{ team: Team; role: TeamRole } | null> {
    const usable = and(
      eq(teamInvitations.codeHash, codeHash),
      isNull(teamInvitations.acceptedAt),
      isNull(teamInvitations.revokedAt),
      gt(teamInvitations.expiresAt, now),
    );
    // Claiming the invitation and adding the member happen in one batch; the member row is conditional on
    // this request having claimed it, so a code works once. An existing member keeps their role.
    const [claimed] = await this.db.batch([
      this.db
        .update(teamInvitations)
        .set({ acceptedBy: userId, acceptedAt: now })
        .where(usable)
        .returning({ teamId: teamInvitations.teamId, role: teamInvitations.role }),
      this.db
        .insert(teamMembers)
        .select(
          this.db
            .select({
              teamId: teamInvitations.teamId,
              userId: sql<string>`${userId}`.as("user_id"),
              role: teamInvitations.role,
              addedBy: teamInvitations.invitedBy,
              createdAt: sql<number>`${now}`.as("created_at"),
            })
            .from(teamInvitations)
            .where(
              and(
                eq(teamInvitations.codeHash, codeHash),
                eq(teamInvitations.acceptedBy, userId),
                eq(teamInvitations.acceptedAt, now),
              ),
            ),
        )
        .onConflictDoNothing(),
    ]);
    const row = claimed[0];
    if (!row) return null;
    const team = await this.db.select().from(teams).where(eq(teams.id, row.teamId)).get();
    const role = (await this.role(row.teamId, userId)) ?? row.role;
    return team ? { team: toTeam(team), role } : null;
  }

  async revokeInvitation(teamId: string, invitationId: string, now: number): Promise<boolean> {
    const result = await this.db
      .update(teamInvitations)
      .set({ revokedAt: now })
      .where(
        and(
          eq(teamInvitations.teamId, teamId),
          eq(teamInvitations.id, invitationId),
          isNull(teamInvitations.acceptedAt),
          isNull(teamInvitations.revokedAt),
        ),
      )
      .run();
    return result.meta.changes > 0;
  }

  async transferProject(projectId: string, teamId: string): Promise<void> {
    try {
      await this.db.update(projects).set({ teamId }).where(eq(projects.id, projectId));
    } catch (cause) {
      // Names are unique per team: the team the caller administers already has a project of this name.
      if (isUniqueViolation(cause)) {
        throw new AppError("conflict", "team: it already has a project of this name; rename one first.", {
          details: { field: "team" },
          cause,
        });
      }
      throw cause;
    }
  }
}

/** D1's constraint error, which drizzle wraps in a query error of its own (the D1 message is its cause). */
function isUniqueViolation(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (/UNIQUE constraint/i.test(e.message)) return true;
  }
  return false;
}

function toTeam(row: typeof teams.$inferSelect): Team {
  return { id: row.id, slug: row.slug, name: row.name, personal: row.personal, createdAt: row.createdAt };
}
