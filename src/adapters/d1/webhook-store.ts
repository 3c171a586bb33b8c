import { and, eq, or } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import { parseProjectRef } from "../../domain/project-ref";
import * as schema from "./schema";

const { projectWebhooks, projects, teams } = schema;
/** Webhooks of one project name across teams: a delivery is checked against each one's secret. */
const MAX_CANDIDATES = 20;

export interface WebhookConfig {
  projectId: string;
  projectSlug: string;
  secret: string;
  repository: string | null;
  createdBy: string;
}

/** Per-project CI webhook secrets and the repository a GitHub webhook is matched by. */
export class D1WebhookStore {
  private readonly db: DrizzleD1Database<typeof schema>;

  constructor(d1: D1Database) {
    this.db = drizzle(d1, { schema });
  }

  private select() {
    return this.db
      .select({
        projectId: projectWebhooks.projectId,
        projectSlug: projects.slug,
        secret: projectWebhooks.secret,
        repository: projectWebhooks.repository,
        createdBy: projectWebhooks.createdBy,
      })
      .from(projectWebhooks)
      .innerJoin(projects, eq(projects.id, projectWebhooks.projectId));
  }

  /**
   * The webhooks a delivery addressed to `team/project` or a plain `project` may be for. Names are unique per
   * team only, so a plain name can match several teams' projects; the signature decides which one it is.
   */
  async forProjectRef(value: string): Promise<WebhookConfig[]> {
    const ref = parseProjectRef(value);
    const byName = eq(projects.slug, value);
    const byTeam =
      ref.team === null
        ? undefined
        : and(eq(projects.slug, ref.name), or(eq(teams.slug, ref.team), eq(teams.id, ref.team)));
    return this.select()
      .innerJoin(teams, eq(teams.id, projects.teamId))
      .where(byTeam ? or(byTeam, byName) : byName)
      .limit(MAX_CANDIDATES);
  }

  async forProject(projectId: string): Promise<WebhookConfig | null> {
    return (await this.select().where(eq(projectWebhooks.projectId, projectId)).get()) ?? null;
  }

  async forRepository(repository: string): Promise<WebhookConfig | null> {
    return (await this.select().where(eq(projectWebhooks.repository, repository.toLowerCase())).get()) ?? null;
  }

  async configure(projectId: string, secret: string, repository: string | null, userId: string, now: number) {
    await this.db
      .insert(projectWebhooks)
      .values({
        projectId,
        secret,
        repository: repository?.toLowerCase() ?? null,
        createdBy: userId,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: projectWebhooks.projectId,
        set: { secret, repository: repository?.toLowerCase() ?? null, createdBy: userId, updatedAt: now },
      });
  }

  async remove(projectId: string): Promise<boolean> {
    const result = await this.db.delete(projectWebhooks).where(eq(projectWebhooks.projectId, projectId)).run();
    return result.meta.changes > 0;
  }
}
