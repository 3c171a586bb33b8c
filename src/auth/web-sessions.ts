import { isScope, type Scope } from "../domain/core/access";
import { randomBase64Url, sha256Hex } from "../domain/core/encoding";
import { timingSafeEqual } from "./passwords";
import type { WebSessionStore } from "./ports";

/**
 * Dashboard sessions. The browser holds a 256-bit random secret in an HttpOnly cookie; the store holds its
 * SHA-256 (a stolen database yields no usable cookie), the user, the scopes the user granted when signing in
 * (through the same consent page as any OAuth client), and a CSRF token that every form of the session posts
 * back. Sessions end at a fixed time: a dashboard is reopened daily, and a week bounds what a stolen cookie is
 * worth; signing out deletes the row at once.
 */
export const WEB_SESSION_TTL_MS = 7 * 24 * 60 * 60_000;

export interface WebSession {
  /** The hash that names the session (what the store keys on); never the cookie's secret. */
  id: string;
  userId: string;
  scopes: Scope[];
  csrf: string;
  expiresAt: number;
}

export class WebSessionService {
  constructor(private readonly store: WebSessionStore) {}

  /** Starts a session; the secret goes into the cookie and nowhere else. */
  async start(userId: string, scopes: Scope[], now: number): Promise<{ secret: string; session: WebSession }> {
    const secret = randomBase64Url(32);
    const record = {
      idHash: await sha256Hex(secret),
      userId,
      scopes: [...scopes],
      csrf: randomBase64Url(32),
      createdAt: now,
      expiresAt: now + WEB_SESSION_TTL_MS,
    };
    await this.store.insert(record);
    return { secret, session: this.view(record) };
  }

  /** The live session a cookie secret names, or null (unknown, expired, signed out, malformed). */
  async authenticate(secret: string | undefined, now: number): Promise<WebSession | null> {
    if (!secret || !/^[A-Za-z0-9_-]{43}$/.test(secret)) return null;
    const record = await this.store.byHash(await sha256Hex(secret), now);
    return record ? this.view(record) : null;
  }

  async end(session: Pick<WebSession, "id">): Promise<void> {
    await this.store.delete(session.id);
  }

  async sweep(now: number): Promise<void> {
    await this.store.sweep(now);
  }

  private view(record: { idHash: string; userId: string; scopes: string[]; csrf: string; expiresAt: number }) {
    return {
      id: record.idHash,
      userId: record.userId,
      scopes: [...new Set(record.scopes.filter(isScope))],
      csrf: record.csrf,
      expiresAt: record.expiresAt,
    };
  }
}

/** Whether a posted CSRF token is the session's, compared in constant time. */
export function csrfMatches(session: Pick<WebSession, "csrf">, posted: string | null | undefined): boolean {
  if (typeof posted !== "string") return false;
  const encoder = new TextEncoder();
  return timingSafeEqual(encoder.encode(posted), encoder.encode(session.csrf));
}
