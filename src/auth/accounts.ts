import { AppError } from "../domain/core/app-error";
import { hashPassword, verifyPassword } from "./passwords";
import type { AccountStore } from "./ports";

export const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const MIN_PASSWORD = 10;
/** Ids of users made by upstream sign-in end in `@<provider>`; sign-up cannot make a look-alike. */
const UPSTREAM_SUFFIX = /@(github|oidc)$/i;

/**
 * The one refusal of a sign-up whose user id cannot be had, whatever the reason (a built-in account, a user
 * made by `npm run token` or upstream sign-in, a reserved name, a concurrent sign-up that won): it says that the
 * name is taken and nothing about who holds it.
 */
export const SIGNUP_REFUSED = "That user name is not available. Choose another, or sign in if the account is yours.";

/** An identity at an upstream provider: the provider's immutable key for the person, and a display name. */
export interface UpstreamIdentity {
  provider: "github" | "oidc";
  /** GitHub's numeric user id; for OIDC `<iss>#<sub>` (an issuer URL has no fragment, so `#` cannot be forged). */
  subject: string;
  /** The login (GitHub) or preferred_username: only ever a display name, never a key. */
  login: string;
  /** The key this identity had before subjects carried the issuer (OIDC: the bare `sub`), adopted once. */
  legacySubject?: string;
}

/**
 * Built-in accounts (self-hosting, local development) and identities from upstream sign-in providers. Rows go
 * through `AccountStore` (D1: src/adapters/d1/account-store.ts).
 */
export class AccountService {
  constructor(private readonly store: AccountStore) {}

  /**
   * Signs up a new user with a password and returns its id. Only ever creates (AccountStore.createPasswordUser):
   * an id that exists for any reason (or that a concurrent sign-up took a moment earlier) fails the whole write
   * and nothing changes. The password
   * is hashed before the insert, so a refused and an accepted sign-up cost the same time.
   */
  async create(userId: string, password: string, now: number): Promise<string> {
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
    if (UPSTREAM_SUFFIX.test(userId)) throw new AppError("conflict", SIGNUP_REFUSED, { details: { field: "user" } });
    if ((await this.store.createPasswordUser(userId, passwordHash, now)) === "conflict") {
      throw new AppError("conflict", SIGNUP_REFUSED, { details: { field: "user" } });
    }
    return userId;
  }

  /** The user id when the password is right; null otherwise (unknown users cost the same KDF time). */
  async verify(userId: string, password: string): Promise<string | null> {
    const row = USER_ID.test(userId) ? await this.store.passwordAccount(userId) : null;
    const ok = await verifyPassword(password, row?.passwordHash ?? DUMMY_HASH);
    return row && ok ? row.userId : null;
  }

  /** The user an upstream identity is linked to, or null. */
  async linkedUser(identity: Pick<UpstreamIdentity, "provider" | "subject">): Promise<string | null> {
    return this.store.linkedUser(identity);
  }

  /**
   * The user an upstream identity signs in as: the one it is linked to, else a new user. The identity is
   * (provider, subject) and nothing else; the login never selects a user. A new user gets an id no one else
   * has (`<login>-<random>@<provider>`, created only, so it can never join an existing user) and the login as
   * its display name. A concurrent first sign-in of the same identity loses the race on the identity's key, its
   * write (and its user) is rolled back, and it signs in as the winner's user.
   */
  async userForIdentity(identity: UpstreamIdentity, now: number): Promise<string> {
    const linked = await this.linkedUser(identity);
    if (linked) return linked;
    if (identity.legacySubject) {
      const adopted = await this.adoptLegacy(identity, identity.legacySubject);
      if (adopted) return adopted;
    }
    const stem =
      identity.login
        .replace(/[^A-Za-z0-9._-]/g, "-")
        .replace(/^[^A-Za-z0-9]+/, "")
        .slice(0, 40) || "user";
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const userId = `${stem}-${randomTag()}@${identity.provider}`;
      const outcome = await this.store.createIdentityUser(identity, userId, identity.login.slice(0, 200), now);
      if (outcome === "created") return userId;
      const winner = await this.linkedUser(identity);
      if (winner) return winner;
      // The random id itself was taken (2^-40 per attempt): draw another.
    }
    throw new AppError("unavailable", "Could not create a user for this sign-in; try again.");
  }

  /**
   * Links an upstream identity to an existing user: only called after that user proved their password in
   * the same sign-in (the explicit link action of the sign-in page). An identity already linked to someone
   * else stays theirs.
   */
  async link(identity: UpstreamIdentity, userId: string, now: number): Promise<void> {
    if (identity.legacySubject && !(await this.linkedUser(identity))) {
      await this.adoptLegacy(identity, identity.legacySubject);
    }
    if (await this.store.linkIdentity(identity, userId, now)) return;
    const owner = await this.linkedUser(identity);
    if (owner !== userId) {
      throw new AppError("conflict", "This sign-in is already linked to another account; it was not changed.");
    }
  }

  /** Re-keys an identity stored before subjects carried the issuer; one statement, so it is adopted once. */
  private async adoptLegacy(identity: UpstreamIdentity, legacySubject: string): Promise<string | null> {
    const adopted = await this.store.rekeyIdentity(identity, legacySubject);
    // A concurrent sign-in stored the new key first: that link stands, the old row stays unused.
    return adopted === "conflict" ? this.linkedUser(identity) : adopted;
  }
}

/** 8 characters of lowercase base32: 40 random bits that make an upstream user's id unguessable in advance. */
function randomTag(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  return [...crypto.getRandomValues(new Uint8Array(8))].map((byte) => alphabet[byte % 32]).join("");
}

/** A valid hash of a random password: verifying against it takes as long as a real check. */
const DUMMY_HASH = "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
