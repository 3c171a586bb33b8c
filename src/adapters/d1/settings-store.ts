import { eq } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type { SettingsStore } from "../../domain/llm/ports";
import { NO_OVERRIDES, type ProjectLlmSettings } from "../../domain/llm/settings";
import * as schema from "./schema";

const { projectSettings } = schema;

/** `SettingsStore` on D1 (table project_settings, migration 0007). */
export class D1SettingsStore implements SettingsStore {
  private readonly db: DrizzleD1Database<typeof schema>;

  constructor(d1: D1Database) {
    this.db = drizzle(d1, { schema });
  }

  async get(projectId: string): Promise<ProjectLlmSettings> {
    const row = await this.db.select().from(projectSettings).where(eq(projectSettings.projectId, projectId)).get();
    return row ? pick(row) : NO_OVERRIDES;
  }

  async update(
    projectId: string,
    changes: Partial<ProjectLlmSettings>,
    author: { userId: string; at: number },
  ): Promise<ProjectLlmSettings> {
    const audit = { updatedBy: author.userId, updatedAt: author.at };
    // One upsert: only the given fields change, so concurrent updates of different fields both survive.
    const row = await this.db
      .insert(projectSettings)
      .values({ ...NO_OVERRIDES, ...changes, projectId, ...audit })
      .onConflictDoUpdate({ target: projectSettings.projectId, set: { ...changes, ...audit } })
      .returning()
      .get();
    return pick(row);
  }
}

function pick(row: typeof projectSettings.$inferSelect): ProjectLlmSettings {
  return {
    model: row.model,
    visionModel: row.visionModel,
    autoApprove: row.autoApprove,
    costThresholdUsd: row.costThresholdUsd,
    maxMonthlyBudgetUsd: row.maxMonthlyBudgetUsd,
    warnAtPercentage: row.warnAtPercentage,
    autoSummarizeOnEnd: row.autoSummarizeOnEnd,
  };
}
