import { withClassTags, type StoredErrorClass } from "../../../src/domain/errors/error-classes";
/**
 * The one in-memory database behind the twins of the record stores (ProjectStore, SessionStore, ErrorStore,
 * DecisionStore, ContextStore): they share it as the D1 stores share D1, because one store's writes are read by
 * another (a decision is linked to the session row the SessionStore wrote). Methods never await between a read
 * and the write it decides, so each store call is atomic, as D1's batches are. Records go in and out as copies:
 * a caller mutating what it got back cannot change what is stored.
 */
import { AppError } from "../../../src/domain/core/app-error";
import { utcDay } from "../../../src/domain/core/encoding";
import type { TeamRole } from "../../../src/domain/core/access";
import type { PageRequest } from "../../../src/domain/core/ports";
import type { CodingSession, Decision, ErrorRecord, FileChange, Link, Page } from "../../../src/domain/core/records";
import type { WebhookDelivery } from "../../../src/domain/errors/ports";

export interface TeamRow {
  id: string;
  slug: string;
  name: string;
  personal: boolean;
  createdBy: string;
  createdAt: number;
}

export interface ProjectRow {
  id: string;
  slug: string;
  teamId: string;
  createdBy: string;
  createdAt: number;
}

export class MemoryRecords {
  readonly users = new Set<string>();
  readonly teams = new Map<string, TeamRow>();
  /** Keyed by `memberKey(teamId, userId)`. */
  readonly members = new Map<string, { teamId: string; userId: string; role: TeamRole }>();
  readonly projects = new Map<string, ProjectRow>();
  readonly sessions = new Map<string, CodingSession>();
  readonly changes = new Map<string, FileChange>();
  readonly errors = new Map<string, ErrorRecord>();
  readonly decisions = new Map<string, Decision>();
  readonly links = new Map<string, Link>();
  /** Keyed by project and delivery id, as D1's primary key. */
  readonly deliveries = new Map<string, WebhookDelivery>();
  /** Sightings per error and UTC day, keyed `errorId\u0000day` (D1: error_occurrence_days). */
  readonly occurrenceDays = new Map<string, number>();
  /** Each team's error classes. */
  readonly errorClasses = new Map<string, StoredErrorClass[]>();

  /** Recomputes an error's class tags from its project's team's classes (D1: the CLASS_TAGS update). */
  tagWithClasses(error: ErrorRecord, always = false): void {
    const teamId = this.projects.get(error.projectId)?.teamId;
    const classes = (teamId ? this.errorClasses.get(teamId) : undefined) ?? [];
    if (classes.length || always) error.tags = withClassTags(error.tags, error, classes);
  }

  /**
   * Runs a multi-row write as D1 runs a batch: if any step throws, every table is put back as it was. Only for
   * synchronous steps, so nothing else can interleave.
   */
  atomically<T>(write: () => T): T {
    const tables = [
      this.errors,
      this.deliveries,
      this.links,
      this.sessions,
      this.decisions,
      this.changes,
      this.occurrenceDays,
    ] as Array<Map<string, unknown>>;
    const saved = tables.map((table) => new Map([...table].map(([key, row]) => [key, copy(row)])));
    try {
      return write();
    } catch (error) {
      tables.forEach((table, index) => {
        table.clear();
        for (const [key, row] of saved[index] ?? []) table.set(key, row);
      });
      throw error;
    }
  }

  /** Counts one sighting of the error on the UTC day of `at`. */
  countDay(errorId: string, at: number): void {
    const key = `${errorId}\u0000${utcDay(at)}`;
    this.occurrenceDays.set(key, (this.occurrenceDays.get(key) ?? 0) + 1);
  }

  /** The user's active session in the project (at most one, as D1's one-active-row index keeps it). */
  activeSessionId(projectId: string, userId: string): string | null {
    for (const row of this.sessions.values()) {
      if (row.projectId === projectId && row.userId === userId && row.status === "active") return row.id;
    }
    return null;
  }

  /** Idempotent like D1's `ON CONFLICT DO NOTHING`: by id, and by (from, relation, to). */
  addLink(link: Link): void {
    if (this.links.has(link.id)) return;
    for (const row of this.links.values()) {
      if (
        row.fromType === link.fromType &&
        row.fromId === link.fromId &&
        row.relation === link.relation &&
        row.toType === link.toType &&
        row.toId === link.toId
      ) {
        return;
      }
    }
    this.links.set(link.id, { ...link });
  }

  /** Links a record to the author's active session, if there is one; in the session's project. */
  addSessionLink(
    linkId: string,
    projectId: string,
    userId: string,
    from: [string, string],
    relation: string,
    at: number,
  ) {
    const sessionId = this.activeSessionId(projectId, userId);
    if (sessionId === null) return;
    this.addLink({
      id: linkId,
      projectId,
      fromType: from[0],
      fromId: from[1],
      relation,
      toType: "session",
      toId: sessionId,
      createdAt: at,
    });
  }
}

/** Adds a row under a new id; like D1's primary keys, an id is unique across all projects. */
export function insertNew<T extends { id: string }>(table: Map<string, T>, row: T, name: string): void {
  if (table.has(row.id)) throw new Error(`UNIQUE constraint failed: ${name}.id`);
  table.set(row.id, row);
}

export function memberKey(teamId: string, userId: string): string {
  return `${teamId}\u0000${userId}`;
}

export function copy<T>(value: T): T {
  return structuredClone(value);
}

/** Newest first, ties by id descending: the order of D1's keyset pages. */
export function newestFirst<T extends { id: string }>(rows: T[], timeOf: (row: T) => number): T[] {
  return [...rows].sort((a, b) => timeOf(b) - timeOf(a) || compareIds(b.id, a.id));
}

/** SQLite's default (binary) text order, which for the ids tests use is JavaScript's code-unit order. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A keyset page over rows already in newest-first order; cursors are opaque, like D1's (not interchangeable). */
export function keysetPage<T extends { id: string }>(
  rows: T[],
  timeOf: (row: T) => number,
  page: PageRequest,
): Page<T> {
  const ordered = newestFirst(rows, timeOf);
  const after = page.cursor === null ? null : decodeCursor(page.cursor);
  const rest = after
    ? ordered.filter((row) => timeOf(row) < after.time || (timeOf(row) === after.time && row.id < after.id))
    : ordered;
  const items = rest.slice(0, page.limit).map(copy);
  const last = items[items.length - 1];
  return { items, nextCursor: rest.length > page.limit && last ? encodeCursor(timeOf(last), last.id) : null };
}

function encodeCursor(time: number, id: string): string {
  return btoa(JSON.stringify({ memory: [time, id] }));
}

function decodeCursor(cursor: string): { time: number; id: string } {
  try {
    const parsed = JSON.parse(atob(cursor)) as { memory?: unknown };
    const [time, id] = Array.isArray(parsed.memory) ? (parsed.memory as unknown[]) : [];
    if (typeof time !== "number" || typeof id !== "string") throw new Error("bad cursor");
    return { time, id };
  } catch (cause) {
    throw new AppError("invalid_input", "cursor: not a cursor returned by a previous page.", {
      details: { field: "cursor" },
      cause,
    });
  }
}

/** The words an FTS5 unicode61 tokenizer would index (lower-cased letters and digits; `_` kept when asked). */
export function words(text: string | null, keepUnderscore = false): Set<string> {
  const pattern = keepUnderscore ? /[\p{L}\p{N}_]+/gu : /[\p{L}\p{N}]+/gu;
  return new Set((text ?? "").toLowerCase().match(pattern) ?? []);
}
