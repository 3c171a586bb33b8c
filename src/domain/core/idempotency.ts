/** How long a key is remembered: long enough for a spool to be flushed after a day offline. */
export const IDEMPOTENCY_WINDOW_MS = 86_400_000;

/** A write request's answer, kept so that the same Idempotency-Key gets it again instead of a second write. */
export interface StoredAnswer {
  route: string;
  status: number;
  body: string;
}

/** Where answers to keyed writes are kept (D1: idempotent_requests), by user and key. */
export interface IdempotencyStore {
  /** The answer stored for this key after `since`, or null. */
  get(userId: string, key: string, since: number): Promise<StoredAnswer | null>;
  put(userId: string, key: string, answer: StoredAnswer, now: number): Promise<void>;
  /** Forgets answers stored before `before` (the cron). */
  sweep(before: number): Promise<void>;
}
