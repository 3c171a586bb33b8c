import { eq } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import { AppError } from "../../domain/app-error";
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

  /** Throws `conflict` when another project already holds the repository (its UNIQUE index decides, race-free). */
  async configure(projectId: string, secret: string, repository: string | null, userId: string, now: number) {
    try {
      await this.upsert(projectId, secret, repository, userId, now);
    } catch (error) {
      if (!repository || !isUniqueViolation(error)) throw error;
      throw new AppError("conflict", `repository: ${repository} is already connected to another project.`, {
        details: { field: "repository" },
        cause: error,
      });
    }
  }

  private async upsert(projectId: string, secret: string, repository: string | null, userId: string, now: number) {
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

/** D1 reports a UNIQUE violation in its message; drizzle wraps it ("Failed query: …") with the D1 error as cause. */
function isUniqueViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (/UNIQUE constraint failed/i.test(String((current as Error).message ?? current))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
