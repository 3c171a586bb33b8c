import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { NewTokenRecord, TokenRecord, TokenStore } from "../../auth/ports";
import * as schema from "./schema";

/** TokenStore on D1 (tables `api_tokens`, `users`; `projects` for a restricted token's team). */
export class D1TokenStore implements TokenStore {
  private readonly db;

  constructor(d1: D1Database) {
    this.db = drizzle(d1, { schema });
  }

  async insert(token: NewTokenRecord): Promise<void> {
    await this.db.batch([
      this.db
        .insert(schema.users)
        .values({ id: token.userId, displayName: token.userId, createdAt: token.createdAt })
        .onConflictDoNothing(),
      this.db.insert(schema.apiTokens).values(token),
    ]);
  }

  async revoke(tokenId: string, now: number, userId: string | null): Promise<boolean> {
    const { apiTokens } = schema;
    const result = await this.db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(
        and(
          eq(apiTokens.id, tokenId),
          isNull(apiTokens.revokedAt),
          userId === null ? undefined : eq(apiTokens.userId, userId),
        ),
      )
      .run();
    return result.meta.changes > 0;
  }

  async list(userId: string, tokenId: string | null): Promise<Array<TokenRecord & { projectTeamId: string | null }>> {
    const { apiTokens, projects } = schema;
    const rows = await this.db
      .select({ token: apiTokens, projectTeamId: projects.teamId })
      .from(apiTokens)
      .leftJoin(projects, eq(projects.id, apiTokens.projectId))
      .where(and(eq(apiTokens.userId, userId), tokenId === null ? undefined : eq(apiTokens.id, tokenId)))
      .orderBy(desc(apiTokens.createdAt));
    return rows.map(({ token, projectTeamId }) => ({ ...record(token), projectTeamId: projectTeamId ?? null }));
  }

  async byHash(tokenHash: string): Promise<TokenRecord | null> {
    const row = await this.db.select().from(schema.apiTokens).where(eq(schema.apiTokens.tokenHash, tokenHash)).get();
    return row ? record(row) : null;
  }

  touch(tokenId: string, now: number, staleBefore: number): Promise<unknown> {
    const { apiTokens } = schema;
    return this.db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(apiTokens.id, tokenId), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, staleBefore))))
      .run();
  }
}

/** The row without its hash: nothing outside this store needs it once the lookup is done. */
function record(row: typeof schema.apiTokens.$inferSelect): TokenRecord {
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    tokenPrefix: row.tokenPrefix,
    scopes: row.scopes,
    teamId: row.teamId,
    projectId: row.projectId,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
  };
}
