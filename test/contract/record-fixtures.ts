/**
 * What the record-store contracts share: the stores under test (one database behind all of them, since writes
 * of one store are read by another, as in production), a fresh user+team+project per test, and record builders.
 * Every test makes its own ids, so the suites can share one D1 database across tests and runs.
 */
import type { ErrorClassStore } from "../../src/domain/errors/error-classes";
import type { ContextStore } from "../../src/domain/context/ports";
import type { NewRecord, PageRequest } from "../../src/domain/core/ports";
import type { CodingSession, Decision, ErrorRecord, FileChange, Page, Project } from "../../src/domain/core/records";
import type { DecisionStore } from "../../src/domain/decisions/ports";
import type { ErrorStore } from "../../src/domain/errors/ports";
import type { ProjectStore } from "../../src/domain/projects/ports";
import type { SessionStore } from "../../src/domain/sessions/ports";

export interface RecordStores {
  projects: ProjectStore;
  sessions: SessionStore;
  errors: ErrorStore;
  decisions: DecisionStore;
  context: ContextStore;
  errorClasses: ErrorClassStore;
  /** Creates the user's account row: D1's records reference users, which no store port writes. */
  addUser(userId: string): Promise<void>;
}

export type MakeRecordStores = () => RecordStores | Promise<RecordStores>;

/** Base time of the fixtures; tests add offsets so ordering is under their control. */
export const T0 = 1_700_000_000_000;

export function uid(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 12)}`;
}

/** A user with a personal team and one project in it. */
export interface World {
  stores: RecordStores;
  userId: string;
  teamId: string;
  teamSlug: string;
  project: Project;
}

export async function newWorld(stores: RecordStores, name = "app"): Promise<World> {
  const userId = uid("user");
  await stores.addUser(userId);
  const teamId = await stores.projects.ensurePersonalTeam(userId, T0);
  const project = { id: uid("proj"), slug: name };
  await stores.projects.createProject(project, teamId, userId, T0);
  const access = await stores.projects.projectAccess(project.id, userId);
  if (!access) throw new Error("fixture: the project's creator cannot see it");
  return { stores, userId, teamId, teamSlug: access.teamSlug, project };
}

/** Another project of the same user and team. */
export async function otherProject(world: World, name = "other"): Promise<Project> {
  const project = { id: uid("proj"), slug: name };
  await world.stores.projects.createProject(project, world.teamId, world.userId, T0);
  return project;
}

export function session(world: World, overrides: Partial<CodingSession> = {}): CodingSession {
  return {
    id: uid("sess"),
    projectId: world.project.id,
    userId: world.userId,
    description: "work",
    tags: ["t1"],
    status: "active",
    success: null,
    startedAt: T0,
    endedAt: null,
    summary: null,
    summarySource: null,
    summaryError: null,
    ...overrides,
  };
}

export function decision(world: World, overrides: Partial<NewRecord<Decision>> = {}): NewRecord<Decision> {
  return {
    id: uid("dec"),
    projectId: world.project.id,
    userId: world.userId,
    decision: "use keyset paging",
    rationale: "offsets drift under writes",
    alternatives: ["offset paging"],
    impact: null,
    confidence: 0.8,
    relatedFiles: ["src/list.ts"],
    tags: ["paging"],
    createdAt: T0,
    ...overrides,
  };
}

export function change(world: World, overrides: Partial<NewRecord<FileChange>> = {}): NewRecord<FileChange> {
  return {
    id: uid("chg"),
    projectId: world.project.id,
    userId: world.userId,
    filePath: "src/list.ts",
    action: "edit",
    diff: null,
    diffTruncated: false,
    reason: "tidy",
    relatedFiles: [],
    lineRange: null,
    implementsDecisionId: null,
    createdAt: T0,
    ...overrides,
  };
}

export function errorCandidate(world: World, overrides: Partial<NewRecord<ErrorRecord>> = {}): NewRecord<ErrorRecord> {
  const at = overrides.createdAt ?? T0;
  return {
    id: uid("err"),
    projectId: world.project.id,
    userId: world.userId,
    errorType: "TypeError",
    message: "x is undefined",
    stackTrace: null,
    stackTraceTruncated: false,
    filePath: null,
    lineNumber: null,
    solution: null,
    resolved: false,
    occurrences: 1,
    fingerprint: uid("fp"),
    searchTerms: "typeerror undefined",
    tags: [],
    firstSeen: at,
    lastSeen: at,
    resolvedAt: null,
    createdAt: at,
    vectorModel: null,
    vectorIndexedAt: null,
    source: "user",
    lastCommit: null,
    lastCiJob: null,
    ...overrides,
  };
}

/** Reads every page of a listing, `limit` at a time; fails rather than loop if the cursor never ends. */
export async function allPages<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page: Page<T> = await list({ limit, cursor });
    expectAtMost(page.items.length, limit);
    items.push(...page.items);
    if (page.nextCursor === null) return items;
    cursor = page.nextCursor;
  }
  throw new Error("listing did not end after 100 pages");
}

function expectAtMost(actual: number, limit: number): void {
  if (actual > limit) throw new Error(`page of ${actual} items exceeds its limit ${limit}`);
}

/** Fresh ids for the session links an error upsert may write. */
export function linkIds(): { occurredIn: string; resolvedIn: string } {
  return { occurredIn: uid("link"), resolvedIn: uid("link") };
}

export function ids(records: Array<{ id: string }>): string[] {
  return records.map((record) => record.id);
}
