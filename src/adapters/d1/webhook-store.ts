import { and, desc, eq, or, sql } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import { AppError } from "../../domain/core/app-error";
import { parseProjectRef } from "../../domain/projects/project-ref";
import type { DeliveryRecord, WebhookConfig, WebhookStore } from "../../domain/ci/ports";
import * as schema from "./schema";

const { projectWebhooks, projects, teams } = schema;
/** Webhooks of one project name across teams: a delivery is checked against each one's secret. */
const MAX_CANDIDATES = 20;

/** Per-project CI webhook secrets and the repository a GitHub webhook is matched by. */
export class D1WebhookStore implements WebhookStore {
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

  async recentDeliveries(projectId: string, limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.db
      .select()
      .from(schema.webhookDeliveries)
      .where(eq(schema.webhookDeliveries.projectId, projectId))
      // Deliveries of one millisecond in the order they were stored.
      .orderBy(desc(schema.webhookDeliveries.receivedAt), sql`rowid DESC`)
      .limit(limit);
    return rows.map(({ deliveryId, source, event, receivedAt, errorsRecorded }) => ({
      deliveryId,
      source,
      event,
      receivedAt,
      errorsRecorded,
    }));
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
