import { parseScopes, SCOPES, type Scope } from "../domain/core/access";
import { AppError } from "../domain/core/app-error";
import { sha256Hex, toBase64Url } from "../domain/core/encoding";
import type { Identity } from "../domain/core/records";
import type { TokenStore } from "./ports";

/**
 * Bearer API tokens. Only a SHA-256 of the token is stored: tokens are 256-bit random, so a fast hash is
 * enough (no dictionary to attack) and keeps verification cheap on every request. This module is the one
 * place identity is decided; OAuth later plugs in beside it and yields the same Identity. Rows go through
 * `TokenStore` (D1: src/adapters/d1/token-store.ts).
 */
const TOKEN_PREFIX = "cm_";
/** last_used_at is informational; writing it at most once a minute keeps hot paths free of extra writes. */
const LAST_USED_GRANULARITY_MS = 60_000;

/** The token hash stored and looked up; re-exported so callers keep one name for it. */
export { sha256Hex };

function randomToken(): string {
  return TOKEN_PREFIX + toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export interface IssuedToken {
  id: string;
  token: string;
  userId: string;
  name: string;
  scopes: Scope[];
  teamId: string | null;
  projectId: string | null;
  expiresAt: number | null;
}

export interface TokenInfo {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  teamId: string | null;
  projectId: string | null;
  /** The team owning the project a project-restricted token is for (null otherwise). */
  projectTeamId: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

export class TokenService {
  constructor(private readonly store: TokenStore) {}

  async issue(
    userId: string,
    name: string,
    options: {
      expiresAt?: number | null;
      now: number;
      scopes?: Scope[];
      teamId?: string | null;
      projectId?: string | null;
    },
  ): Promise<IssuedToken> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(userId)) {
      throw new AppError("invalid_input", "user: 1-64 characters of letters, digits, '.', '_', '@' or '-'.", {
        details: { field: "user" },
      });
    }
    const token = randomToken();
    const id = crypto.randomUUID();
    const scopes = options.scopes ?? [...SCOPES];
    await this.store.insert({
      id,
      userId,
      name,
      tokenHash: await sha256Hex(token),
      tokenPrefix: token.slice(0, 8),
      createdAt: options.now,
      expiresAt: options.expiresAt ?? null,
      scopes,
      teamId: options.teamId ?? null,
      projectId: options.projectId ?? null,
    });
    return {
      id,
      token,
      userId,
      name,
      scopes,
      teamId: options.teamId ?? null,
      projectId: options.projectId ?? null,
      expiresAt: options.expiresAt ?? null,
    };
  }

  /** Revokes one of the user's tokens (any token when `userId` is null: operator scripts). */
  async revoke(tokenId: string, now: number, userId: string | null = null): Promise<boolean> {
    return this.store.revoke(tokenId, now, userId);
  }

  /** The user's tokens, newest first; never the token itself (only its first characters). */
  async list(userId: string, tokenId: string | null = null): Promise<TokenInfo[]> {
    const rows = await this.store.list(userId, tokenId);
    return rows.map(({ projectTeamId, ...row }) => ({
      id: row.id,
      name: row.name,
      prefix: row.tokenPrefix,
      scopes: parseScopes(row.scopes),
      teamId: row.teamId,
      projectId: row.projectId,
      projectTeamId,
      createdAt: row.createdAt,
      lastUsedAt: row.lastUsedAt,
      expiresAt: row.expiresAt,
      revokedAt: row.revokedAt,
    }));
  }

  /** One of the user's tokens by id, or null. */
  async find(userId: string, tokenId: string): Promise<TokenInfo | null> {
    return (await this.list(userId, tokenId))[0] ?? null;
  }

  /** Resolves an Authorization header to the caller, or throws `unauthorized` without saying which check failed. */
  async authenticate(
    authorization: string | null | undefined,
    now: number,
  ): Promise<{ identity: Identity; touch: Promise<unknown> | null }> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    const token = match?.[1];
    if (!token) {
      throw new AppError(
        "unauthorized",
        "Missing bearer token: send `Authorization: Bearer <token>` (create one with `npm run token -- create --user <you>`).",
      );
    }
    if (!token.startsWith(TOKEN_PREFIX)) throw new AppError("unauthorized", "Invalid, expired or revoked token.");
    const row = await this.store.byHash(await sha256Hex(token));
    if (!row || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt <= now)) {
      throw new AppError("unauthorized", "Invalid, expired or revoked token.");
    }
    const stale = row.lastUsedAt === null || now - row.lastUsedAt > LAST_USED_GRANULARITY_MS;
    const touch = stale ? this.store.touch(row.id, now, now - LAST_USED_GRANULARITY_MS) : null;
    const identity: Identity = {
      userId: row.userId,
      scopes: parseScopes(row.scopes),
      teamId: row.teamId,
      projectId: row.projectId,
      credentialId: row.id,
      expiresAt: row.expiresAt,
    };
    return { identity, touch };
  }
}
