import { and, eq, gt, lt } from "drizzle-orm";
import { IDEMPOTENCY_WINDOW_MS, type IdempotencyStore, type StoredAnswer } from "../../domain/core/idempotency";
import { idempotentRequests } from "./schema";
import { database, type Db } from "./sql";

export class D1IdempotencyStore implements IdempotencyStore {
  private readonly db: Db;

  constructor(d1: D1Database) {
    this.db = database(d1);
  }

  async get(userId: string, key: string, since: number): Promise<StoredAnswer | null> {
    const [row] = await this.db
      .select()
      .from(idempotentRequests)
      .where(
        and(
          eq(idempotentRequests.userId, userId),
          eq(idempotentRequests.key, key),
          gt(idempotentRequests.createdAt, since),
        ),
      );
    return row ? { route: row.route, status: row.status, body: row.body } : null;
  }

  async put(userId: string, key: string, answer: StoredAnswer, now: number): Promise<void> {
    // A key seen before (its row older than a day, or a concurrent first use) keeps the answer written first.
    await this.db
      .insert(idempotentRequests)
      .values({ userId, key, ...answer, createdAt: now })
      .onConflictDoUpdate({
        target: [idempotentRequests.userId, idempotentRequests.key],
        set: { ...answer, createdAt: now },
        where: lt(idempotentRequests.createdAt, now - IDEMPOTENCY_WINDOW_MS),
      });
  }

  async sweep(before: number): Promise<void> {
    await this.db.delete(idempotentRequests).where(lt(idempotentRequests.createdAt, before));
  }
}
