/**
 * What TokenService and AccountService store, and nothing about how: src/adapters/d1/token-store.ts and
 * account-store.ts implement these over D1. The services keep every decision (hashing, scopes, expiry, when
 * last_used_at is written, what a refused sign-up says); a store only reads and writes rows.
 */
import type { Scope } from "../domain/core/access";

/** An API token as stored: its hash and first characters, never the token itself. */
export interface TokenRecord {
  id: string;
  userId: string;
  name: string;
  tokenPrefix: string;
  /** As stored; TokenService parses them, so a row with an unknown scope fails loudly rather than widening. */
  scopes: string[];
  teamId: string | null;
  projectId: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface NewTokenRecord {
  id: string;
  userId: string;
  name: string;
  tokenHash: string;
  tokenPrefix: string;
  scopes: Scope[];
  teamId: string | null;
  projectId: string | null;
  createdAt: number;
  expiresAt: number | null;
}

export interface TokenStore {
  /** Stores the token and, when the user is new, its user (display name = id), in one transaction. */
  insert(token: NewTokenRecord): Promise<void>;
  /** Marks a live token revoked (only one of `userId`'s unless it is null); whether a token changed. */
  revoke(tokenId: string, now: number, userId: string | null): Promise<boolean>;
  /**
   * The user's tokens (only `tokenId` when given), newest first, each with the team owning its project when it
   * is restricted to one (null otherwise).
   */
  list(userId: string, tokenId: string | null): Promise<Array<TokenRecord & { projectTeamId: string | null }>>;
  byHash(tokenHash: string): Promise<TokenRecord | null>;
  /**
   * Sets last_used_at to `now` unless it is already at or after `staleBefore` (another request wrote it
   * meanwhile), so concurrent requests write it once.
   */
  touch(tokenId: string, now: number, staleBefore: number): Promise<unknown>;
}

/** An identity's key at an upstream provider. */
export interface IdentityKey {
  provider: string;
  subject: string;
}

/** How a write that may only create came out: `conflict` when a key it inserts exists already. */
export type CreateOutcome = "created" | "conflict";

export interface AccountStore {
  /**
   * Inserts the user and its password account in one transaction without any ON CONFLICT clause: a user id
   * that exists for any reason fails the whole write (`conflict`) and nothing changes.
   */
  createPasswordUser(userId: string, passwordHash: string, now: number): Promise<CreateOutcome>;
  /** The built-in account of a user (its id as stored and its password hash), or null when it has none. */
  passwordAccount(userId: string): Promise<{ userId: string; passwordHash: string } | null>;
  /** The user an upstream identity is linked to, or null. */
  linkedUser(identity: IdentityKey): Promise<string | null>;
  /**
   * Inserts a new user and its upstream identity in one transaction, without ON CONFLICT: `conflict` when the
   * user id or the identity exists already (then nothing changes).
   */
  createIdentityUser(identity: IdentityKey, userId: string, displayName: string, now: number): Promise<CreateOutcome>;
  /** Links the identity to the user unless the identity is linked already; whether it was inserted. */
  linkIdentity(identity: IdentityKey, userId: string, now: number): Promise<boolean>;
  /**
   * Re-keys the identity stored under (provider, `fromSubject`) to `identity.subject`, in one statement: the
   * user it belongs to, null when there is none, `conflict` when the new key exists already.
   */
  rekeyIdentity(identity: IdentityKey, fromSubject: string): Promise<string | null | "conflict">;
}

/** A dashboard browser session as stored: the hash of its cookie secret, never the secret. */
export interface WebSessionRecord {
  idHash: string;
  userId: string;
  /** As stored; WebSessionService parses them (an unknown scope is dropped, never widened). */
  scopes: string[];
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

export interface WebSessionStore {
  insert(session: WebSessionRecord): Promise<void>;
  /** The session with this hash unless it expired before `now`. */
  byHash(idHash: string, now: number): Promise<WebSessionRecord | null>;
  delete(idHash: string): Promise<void>;
  /** Removes every session that expired before `now`. */
  sweep(now: number): Promise<void>;
}
