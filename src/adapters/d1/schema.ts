/**
 * Drizzle mirror of migrations/*.sql. The SQL files are the source of truth (they also hold the FTS5 tables
 * and triggers drizzle cannot express); this file gives queries their types. Keep both in step.
 */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { LlmOperation, LlmOutcome, LlmProviderId } from "../../domain/llm/types";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  displayName: text("display_name").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const projects = sqliteTable(
  "projects",
  {
    id: text("id").primaryKey(),
    /** The project's name, unique within its team (migration 0016). */
    slug: text("slug").notNull(),
    /** The column that was the globally unique slug; now an internal key ('id:' || id) nothing reads. */
    legacyKey: text("legacy_key").notNull().unique(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    teamId: text("team_id"),
  },
  (table) => [uniqueIndex("projects_team_slug").on(table.teamId, table.slug), index("projects_slug").on(table.slug)],
);

export const teams = sqliteTable("teams", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  personal: integer("personal", { mode: "boolean" }).notNull(),
  createdBy: text("created_by").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const teamMembers = sqliteTable(
  "team_members",
  {
    teamId: text("team_id").notNull(),
    userId: text("user_id").notNull(),
    role: text("role", { enum: ["owner", "admin", "member", "viewer"] }).notNull(),
    addedBy: text("added_by").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] })],
);

export const teamInvitations = sqliteTable("team_invitations", {
  id: text("id").primaryKey(),
  teamId: text("team_id").notNull(),
  role: text("role", { enum: ["admin", "member", "viewer"] }).notNull(),
  codeHash: text("code_hash").notNull().unique(),
  note: text("note"),
  invitedBy: text("invited_by").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  acceptedBy: text("accepted_by"),
  acceptedAt: integer("accepted_at"),
  revokedAt: integer("revoked_at"),
});

export const apiTokens = sqliteTable("api_tokens", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  tokenPrefix: text("token_prefix").notNull(),
  createdAt: integer("created_at").notNull(),
  lastUsedAt: integer("last_used_at"),
  expiresAt: integer("expires_at"),
  revokedAt: integer("revoked_at"),
  scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
  teamId: text("team_id"),
  projectId: text("project_id"),
});

export const codingSessions = sqliteTable("coding_sessions", {
  id: text("id").primaryKey(),
  projectId: text("project_id").notNull(),
  userId: text("user_id").notNull(),
  description: text("description").notNull(),
  tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
  status: text("status", { enum: ["active", "ended", "expired"] }).notNull(),
  success: integer("success", { mode: "boolean" }),
  startedAt: integer("started_at").notNull(),
  endedAt: integer("ended_at"),
  summary: text("summary"),
  summarySource: text("summary_source", { enum: ["user", "digest", "llm"] }),
  summaryError: text("summary_error"),
});

export const fileChanges = sqliteTable("file_changes", {
  id: text("id").primaryKey(),
  projectId: text("project_id").notNull(),
  sessionId: text("session_id"),
  userId: text("user_id").notNull(),
  filePath: text("file_path").notNull(),
  action: text("action").notNull(),
  diff: text("diff"),
  diffTruncated: integer("diff_truncated", { mode: "boolean" }).notNull(),
  reason: text("reason").notNull(),
  relatedFiles: text("related_files", { mode: "json" }).$type<string[]>().notNull(),
  lineRange: text("line_range"),
  implementsDecisionId: text("implements_decision_id"),
  createdAt: integer("created_at").notNull(),
});

export const errors = sqliteTable("errors", {
  id: text("id").primaryKey(),
  projectId: text("project_id").notNull(),
  sessionId: text("session_id"),
  userId: text("user_id").notNull(),
  errorType: text("error_type").notNull(),
  message: text("message").notNull(),
  stackTrace: text("stack_trace"),
  stackTraceTruncated: integer("stack_trace_truncated", { mode: "boolean" }).notNull(),
  filePath: text("file_path"),
  lineNumber: integer("line_number"),
  solution: text("solution"),
  resolved: integer("resolved", { mode: "boolean" }).notNull(),
  occurrences: integer("occurrences").notNull(),
  fingerprint: text("fingerprint").notNull(),
  searchTerms: text("search_terms").notNull(),
  tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
  firstSeen: integer("first_seen").notNull(),
  lastSeen: integer("last_seen").notNull(),
  resolvedAt: integer("resolved_at"),
  createdAt: integer("created_at").notNull(),
  vectorModel: text("vector_model"),
  vectorIndexedAt: integer("vector_indexed_at"),
  source: text("source", { enum: ["user", "ci"] }).notNull(),
  lastCommit: text("last_commit"),
  lastCiJob: text("last_ci_job"),
});

/** Per-project term statistics for error search's BM25, kept by triggers (migration 0017). */
export const errorTermStats = sqliteTable(
  "error_term_stats",
  {
    projectId: text("project_id").notNull(),
    term: text("term").notNull(),
    docs: integer("docs").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.term] })],
);

export const errorSearchTotals = sqliteTable("error_search_totals", {
  projectId: text("project_id").primaryKey(),
  docs: integer("docs").notNull(),
  terms: integer("terms").notNull(),
});

/** One narrow row per error for the lexical first stage (migration 0019), kept in step by triggers. */
export const errorSearchDocs = sqliteTable("error_search_docs", {
  errorRowid: integer("error_rowid").primaryKey(),
  projectId: text("project_id").notNull(),
  errorId: text("error_id").notNull(),
  resolved: integer("resolved").notNull(),
  terms: integer("terms").notNull(),
});

export const decisions = sqliteTable("decisions", {
  id: text("id").primaryKey(),
  projectId: text("project_id").notNull(),
  sessionId: text("session_id"),
  userId: text("user_id").notNull(),
  decision: text("decision").notNull(),
  rationale: text("rationale").notNull(),
  alternatives: text("alternatives", { mode: "json" }).$type<string[]>().notNull(),
  impact: text("impact"),
  confidence: real("confidence").notNull(),
  relatedFiles: text("related_files", { mode: "json" }).$type<string[]>().notNull(),
  tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
  createdAt: integer("created_at").notNull(),
});

export const links = sqliteTable("links", {
  id: text("id").primaryKey(),
  projectId: text("project_id").notNull(),
  fromType: text("from_type").notNull(),
  fromId: text("from_id").notNull(),
  relation: text("relation").notNull(),
  toType: text("to_type").notNull(),
  toId: text("to_id").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const llmCalls = sqliteTable("llm_calls", {
  id: text("id").primaryKey(),
  projectId: text("project_id").notNull(),
  userId: text("user_id").notNull(),
  sessionId: text("session_id"),
  operation: text("operation").$type<LlmOperation>().notNull(),
  provider: text("provider").$type<LlmProviderId>().notNull(),
  model: text("model").notNull(),
  inputTokens: integer("input_tokens").notNull(),
  cachedInputTokens: integer("cached_input_tokens").notNull(),
  outputTokens: integer("output_tokens").notNull(),
  estimatedNanoUsd: integer("estimated_nano_usd").notNull(),
  nanoUsd: integer("nano_usd").notNull(),
  latencyMs: integer("latency_ms").notNull(),
  outcome: text("outcome").$type<LlmOutcome>().notNull(),
  error: text("error"),
  month: text("month").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const projectSettings = sqliteTable("project_settings", {
  projectId: text("project_id").primaryKey(),
  model: text("model"),
  visionModel: text("vision_model"),
  autoApprove: integer("auto_approve", { mode: "boolean" }),
  costThresholdUsd: real("cost_threshold_usd"),
  maxMonthlyBudgetUsd: real("max_monthly_budget_usd"),
  warnAtPercentage: real("warn_at_percentage"),
  autoSummarizeOnEnd: integer("auto_summarize_on_end", { mode: "boolean" }),
  updatedBy: text("updated_by").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const codeFiles = sqliteTable(
  "code_files",
  {
    projectId: text("project_id").notNull(),
    path: text("path").notNull(),
    contentHash: text("content_hash").notNull(),
    language: text("language", { enum: ["typescript", "javascript", "python", "config"] }).notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    parseError: text("parse_error"),
    facts: text("facts").notNull(),
    indexedBy: text("indexed_by").notNull(),
    indexedAt: integer("indexed_at").notNull(),
    contentChangedAt: integer("content_changed_at"),
    deletedAt: integer("deleted_at"),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.path] })],
);

export const codeIndexState = sqliteTable("code_index_state", {
  projectId: text("project_id").primaryKey(),
  generation: integer("generation").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const codeGraphChunks = sqliteTable(
  "code_graph_chunks",
  {
    projectId: text("project_id").notNull(),
    seq: integer("seq").notNull(),
    generation: integer("generation").notNull(),
    data: text("data").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.seq] })],
);

export const accounts = sqliteTable("accounts", {
  userId: text("user_id").primaryKey(),
  passwordHash: text("password_hash").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const userIdentities = sqliteTable(
  "user_identities",
  {
    provider: text("provider").notNull(),
    subject: text("subject").notNull(),
    userId: text("user_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.subject] })],
);

export const projectWebhooks = sqliteTable("project_webhooks", {
  projectId: text("project_id").primaryKey(),
  secret: text("secret").notNull(),
  repository: text("repository").unique(),
  createdBy: text("created_by").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    projectId: text("project_id").notNull(),
    deliveryId: text("delivery_id").notNull(),
    source: text("source").notNull(),
    event: text("event").notNull(),
    receivedAt: integer("received_at").notNull(),
    errorsRecorded: integer("errors_recorded").notNull(),
    bodySha256: text("body_sha256"),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.deliveryId] }),
    uniqueIndex("webhook_deliveries_body").on(t.projectId, t.bodySha256),
  ],
);

export const attachments = sqliteTable("attachments", {
  id: text("id").primaryKey(),
  projectId: text("project_id").notNull(),
  errorId: text("error_id"),
  contentType: text("content_type").notNull(),
  sizeBytes: integer("size_bytes").notNull(),
  sha256: text("sha256").notNull(),
  r2Key: text("r2_key").notNull(),
  origin: text("origin").notNull(),
  createdBy: text("created_by").notNull(),
  createdAt: integer("created_at").notNull(),
  /** JSON of a ScreenshotAnalysis; null until the image is analysed. */
  analysis: text("analysis"),
});

export const architectureDiagrams = sqliteTable("architecture_diagrams", {
  id: text("id").primaryKey(),
  projectId: text("project_id").notNull(),
  title: text("title").notNull(),
  sourceFormat: text("source_format").notNull(),
  sourceText: text("source_text"),
  attachmentId: text("attachment_id"),
  model: text("model"),
  /** JSON arrays of DiagramComponent / DiagramConnection, and of evidence strings. */
  components: text("components").notNull(),
  connections: text("connections").notNull(),
  pattern: text("pattern").notNull(),
  patternConfidence: text("pattern_confidence").notNull(),
  evidence: text("evidence").notNull(),
  summary: text("summary").notNull(),
  decisionId: text("decision_id"),
  createdBy: text("created_by").notNull(),
  createdAt: integer("created_at").notNull(),
});

/** A team's named error classes (migration 0020, src/domain/errors/error-classes.ts). */
export const errorClasses = sqliteTable(
  "error_classes",
  {
    teamId: text("team_id").notNull(),
    name: text("name").notNull(),
    typeContains: text("type_contains"),
    messageContains: text("message_contains"),
    frameContains: text("frame_contains"),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [primaryKey({ columns: [table.teamId, table.name] })],
);

/** Stored answers of write requests sent with an Idempotency-Key (migration 0021, src/http/idempotency.ts). */
export const idempotentRequests = sqliteTable(
  "idempotent_requests",
  {
    userId: text("user_id").notNull(),
    key: text("key").notNull(),
    route: text("route").notNull(),
    status: integer("status").notNull(),
    body: text("body").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.key] }),
    index("idempotent_requests_created").on(table.createdAt),
  ],
);

/** Signed-in dashboard sessions, by the hash of their cookie secret (migration 0022, src/auth/web-sessions.ts). */
export const webSessions = sqliteTable(
  "web_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    scopes: text("scopes").notNull(),
    csrf: text("csrf").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (table) => [index("web_sessions_user").on(table.userId), index("web_sessions_expires").on(table.expiresAt)],
);

/** Sightings of an error per UTC day (migration 0023), counted in the same batch as `errors.occurrences`. */
export const errorOccurrenceDays = sqliteTable(
  "error_occurrence_days",
  {
    errorId: text("error_id")
      .notNull()
      .references(() => errors.id, { onDelete: "cascade" }),
    day: integer("day").notNull(),
    count: integer("count").notNull(),
  },
  (table) => [primaryKey({ columns: [table.errorId, table.day] })],
);
