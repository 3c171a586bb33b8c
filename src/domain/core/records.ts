/** Records as the domain sees them: camelCase, parsed lists, epoch-millisecond times. */
import type { Credential, TeamRole } from "./access";

/** The authenticated caller: a user, the scopes of the credential used, and any restriction of that credential. */
export type Identity = Credential;

/** A project, the team that owns it, and the caller's role in that team (null: not a member). */
/** A project the caller is a member of: its team, and their role there. */
export interface ProjectAccess {
  project: Project;
  teamId: string;
  /** The team's slug: with the project's name it makes the `team/project` reference. */
  teamSlug: string;
  role: TeamRole;
}

export interface Project {
  id: string;
  slug: string;
}

export type SessionStatus = "active" | "ended" | "expired";

export interface CodingSession {
  id: string;
  projectId: string;
  userId: string;
  description: string;
  tags: string[];
  status: SessionStatus;
  success: boolean | null;
  startedAt: number;
  endedAt: number | null;
  summary: string | null;
  /** Who wrote `summary`: the user, the deterministic digest, or a model (replacing the digest later). */
  summarySource: "user" | "digest" | "llm" | null;
  /** Why the AI summary failed for good (no API key, provider refused); null when none failed. */
  summaryError: string | null;
}

export const FILE_ACTIONS = ["create", "edit", "delete", "rename", "refactor", "test"] as const;
export type FileAction = (typeof FILE_ACTIONS)[number];

export interface FileChange {
  id: string;
  projectId: string;
  sessionId: string | null;
  userId: string;
  filePath: string;
  action: string;
  diff: string | null;
  diffTruncated: boolean;
  reason: string;
  relatedFiles: string[];
  lineRange: string | null;
  implementsDecisionId: string | null;
  createdAt: number;
}

export interface ErrorRecord {
  id: string;
  projectId: string;
  sessionId: string | null;
  userId: string;
  errorType: string;
  message: string;
  stackTrace: string | null;
  stackTraceTruncated: boolean;
  filePath: string | null;
  lineNumber: number | null;
  solution: string | null;
  resolved: boolean;
  occurrences: number;
  fingerprint: string;
  searchTerms: string;
  tags: string[];
  firstSeen: number;
  lastSeen: number;
  resolvedAt: number | null;
  createdAt: number;
  /**
   * The embedder id its vector was computed with; null while none exists. Search trusts the vector only when
   * this equals the configured embedder's id: anything else (null, an older model, `failed`) is pending.
   */
  vectorModel: string | null;
  /** When `vectorModel` was last set, by indexing or by a dead-lettered job marking it `failed`. */
  vectorIndexedAt: number | null;
  /** Where it was recorded from: an assistant or person (`user`), or a CI failure webhook (`ci`). */
  source: "user" | "ci";
  /** For CI errors: the commit and job of the latest failure that reported it. */
  lastCommit: string | null;
  lastCiJob: string | null;
}

/** `ErrorRecord.vectorModel` of an error whose last indexing job was dead-lettered; never an embedder id. */
export const VECTOR_FAILED = "failed";

export interface Decision {
  id: string;
  projectId: string;
  sessionId: string | null;
  userId: string;
  decision: string;
  rationale: string;
  alternatives: string[];
  impact: string | null;
  confidence: number;
  relatedFiles: string[];
  tags: string[];
  createdAt: number;
}

export interface Link {
  id: string;
  projectId: string;
  fromType: string;
  fromId: string;
  relation: string;
  toType: string;
  toId: string;
  createdAt: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
