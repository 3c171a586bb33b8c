import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { AccountStore, CreateOutcome, IdentityKey } from "../../auth/ports";
import * as schema from "./schema";

/** AccountStore on D1 (tables `users`, `accounts`, `user_identities`). */
export class D1AccountStore implements AccountStore {
  private readonly db;

  constructor(d1: D1Database) {
    this.db = drizzle(d1, { schema });
  }

  async createPasswordUser(userId: string, passwordHash: string, now: number): Promise<CreateOutcome> {
    return createOnly(
      this.db.batch([
        this.db.insert(schema.users).values({ id: userId, displayName: userId, createdAt: now }),
        this.db.insert(schema.accounts).values({ userId, passwordHash, createdAt: now, updatedAt: now }),
      ]),
    );
  }

  async passwordAccount(userId: string): Promise<{ userId: string; passwordHash: string } | null> {
    const { accounts } = schema;
    const row = await this.db
      .select({ userId: accounts.userId, passwordHash: accounts.passwordHash })
      .from(accounts)
      .where(eq(accounts.userId, userId))
      .get();
    return row ?? null;
  }

  async linkedUser(identity: IdentityKey): Promise<string | null> {
    const { userIdentities } = schema;
    const row = await this.db
      .select({ userId: userIdentities.userId })
      .from(userIdentities)
      .where(and(eq(userIdentities.provider, identity.provider), eq(userIdentities.subject, identity.subject)))
      .get();
    return row?.userId ?? null;
  }

  async createIdentityUser(
    identity: IdentityKey,
    userId: string,
    displayName: string,
    now: number,
  ): Promise<CreateOutcome> {
    return createOnly(
      this.db.batch([
        this.db.insert(schema.users).values({ id: userId, displayName, createdAt: now }),
        this.db
          .insert(schema.userIdentities)
          .values({ provider: identity.provider, subject: identity.subject, userId, createdAt: now }),
      ]),
    );
  }

  async linkIdentity(identity: IdentityKey, userId: string, now: number): Promise<boolean> {
    const inserted = await this.db
      .insert(schema.userIdentities)
      .values({ provider: identity.provider, subject: identity.subject, userId, createdAt: now })
      .onConflictDoNothing()
      .returning({ userId: schema.userIdentities.userId });
    return inserted.length > 0;
  }

  async rekeyIdentity(identity: IdentityKey, fromSubject: string): Promise<string | null | "conflict"> {
    const { userIdentities } = schema;
    try {
      const rows = await this.db
        .update(userIdentities)
        .set({ subject: identity.subject })
        .where(and(eq(userIdentities.provider, identity.provider), eq(userIdentities.subject, fromSubject)))
        .returning({ userId: userIdentities.userId });
      return rows[0]?.userId ?? null;
    } catch (error) {
      if (isConstraintViolation(error)) return "conflict";
      throw error;
    }
  }
}

/** A batch of plain inserts: `conflict` when D1 refused it for a key that exists (so none of it was written). */
async function createOnly(batch: Promise<unknown>): Promise<CreateOutcome> {
  try {
    await batch;
    return "created";
  } catch (error) {
    if (isConstraintViolation(error)) return "conflict";
    throw error;
  }
}

/** D1 reports a UNIQUE or PRIMARY KEY violation only in the message text, possibly wrapped in a cause. */
function isConstraintViolation(error: unknown): boolean {
  for (let current = error; current; current = (current as { cause?: unknown }).cause) {
    if (/UNIQUE|PRIMARY KEY|constraint/i.test(String((current as Error).message ?? current))) return true;
  }
  return false;
}
