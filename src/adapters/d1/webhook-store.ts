import { eq } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema";

const { projectWebhooks, projects } = schema;

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

  async forProjectSlug(slug: string): Promise<WebhookConfig | null> {
    return (await this.select().where(eq(projects.slug, slug)).get()) ?? null;
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
