/** Ports every feature shares: what the domain must not take from globals, and the shape of a page. */

/** Things the domain must not take from globals, so tests and benches can control them. */
export interface Runtime {
  now(): number;
  newId(): string;
  sha256Hex(text: string): Promise<string>;
}

/** A record before storage: the store fills in the session it belongs to. */
export type NewRecord<T extends { sessionId: string | null }> = Omit<T, "sessionId">;

export interface PageRequest {
  limit: number;
  cursor: string | null;
}
