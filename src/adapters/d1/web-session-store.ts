import { and, eq, gte, lt } from "drizzle-orm";
import type { WebSessionRecord, WebSessionStore } from "../../auth/ports";
import { webSessions } from "./schema";
import { database, type Db } from "./sql";

export class D1WebSessionStore implements WebSessionStore {
  private readonly db: Db;

  constructor(d1: D1Database) {
    this.db = database(d1);
  }

  async insert(session: WebSessionRecord): Promise<void> {
    await this.db.insert(webSessions).values({ ...session, scopes: session.scopes.join(" ") });
  }

  async byHash(idHash: string, now: number): Promise<WebSessionRecord | null> {
    const [row] = await this.db
      .select()
      .from(webSessions)
      .where(and(eq(webSessions.idHash, idHash), gte(webSessions.expiresAt, now)));
    return row ? { ...row, scopes: row.scopes.split(" ") } : null;
  }

  async delete(idHash: string): Promise<void> {
    await this.db.delete(webSessions).where(eq(webSessions.idHash, idHash));
  }

  async sweep(now: number): Promise<void> {
    await this.db.delete(webSessions).where(lt(webSessions.expiresAt, now));
  }
}
