import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { AppError } from "../domain/app-error";
import * as schema from "../adapters/d1/schema";
import { hashPassword, verifyPassword } from "./passwords";

export const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const MIN_PASSWORD = 10;

/** Built-in accounts (self-hosting, local development) and identities from upstream sign-in providers. */
export class AccountService {
  private readonly db;

  constructor(d1: D1Database) {
    this.db = drizzle(d1, { schema });
  }

  async create(userId: string, password: string, now: number): Promise<void> {
    if (!USER_ID.test(userId)) {
      throw new AppError("invalid_input", "user: 1-64 characters of letters, digits, '.', '_', '@' or '-'.", {
        details: { field: "user" },
      });
    }
    if (password.length < MIN_PASSWORD) {
      throw new AppError("invalid_input", `password: at least ${MIN_PASSWORD} characters.`, {
        details: { field: "password" },
      });
    }
    const passwordHash = await hashPassword(password);
    await this.db.batch([
      this.db.insert(schema.users).values({ id: userId, displayName: userId, createdAt: now }).onConflictDoNothing(),
      this.db
        .insert(schema.accounts)
        .values({ userId, passwordHash, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({ target: schema.accounts.userId, set: { passwordHash, updatedAt: now } }),
    ]);
  }

  /** The user id when the password is right; null otherwise (unknown users cost the same KDF time). */
  async verify(userId: string, password: string): Promise<string | null> {
    const row = USER_ID.test(userId)
      ? await this.db.select().from(schema.accounts).where(eq(schema.accounts.userId, userId)).get()
      : undefined;
    const ok = await verifyPassword(password, row?.passwordHash ?? DUMMY_HASH);
    return row && ok ? row.userId : null;
  }

  /**
   * The user an upstream identity signs in as: the one linked before, else a new user named after the
   * provider's login (`octocat@github`), linked from now on.
   */
  async userForIdentity(provider: string, subject: string, login: string, now: number): Promise<string> {
    const linked = await this.db
      .select({ userId: schema.userIdentities.userId })
      .from(schema.userIdentities)
      .where(and(eq(schema.userIdentities.provider, provider), eq(schema.userIdentities.subject, subject)))
      .get();
    if (linked) return linked.userId;
    const base = `${login.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 40) || "user"}@${provider}`;
    const userId = USER_ID.test(base) ? base : `${subject.slice(0, 40)}@${provider}`.replace(/[^A-Za-z0-9._@-]/g, "-");
    await this.db.batch([
      this.db.insert(schema.users).values({ id: userId, displayName: login, createdAt: now }).onConflictDoNothing(),
      this.db.insert(schema.userIdentities).values({ provider, subject, userId, createdAt: now }).onConflictDoNothing(),
    ]);
    const row = await this.db
      .select({ userId: schema.userIdentities.userId })
      .from(schema.userIdentities)
      .where(and(eq(schema.userIdentities.provider, provider), eq(schema.userIdentities.subject, subject)))
      .get();
    return row?.userId ?? userId;
  }
}

/** A valid hash of a random password: verifying against it takes as long as a real check. */
const DUMMY_HASH = "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
