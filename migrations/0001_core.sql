-- Core records of Coding Memory. Times are Unix epoch milliseconds; list-valued columns hold JSON arrays.

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- `slug` is the project id clients use ("api-service"); `id` is internal so a slug can be renamed later.
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL
);

CREATE TABLE project_members (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, user_id)
);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  token_prefix TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  expires_at INTEGER,
  revoked_at INTEGER
);

CREATE TABLE coding_sessions (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id),
  description TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL CHECK (status IN ('active', 'ended', 'expired')),
  success INTEGER,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  summary TEXT,
  summary_source TEXT
);
CREATE INDEX coding_sessions_project_started ON coding_sessions(project_id, started_at DESC);
-- The D1 mirror of the Durable Object's slot: at most one active session per user and project.
CREATE UNIQUE INDEX coding_sessions_one_active ON coding_sessions(project_id, user_id) WHERE status = 'active';

CREATE TABLE file_changes (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  session_id TEXT REFERENCES coding_sessions(id) ON DELETE SET NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  file_path TEXT NOT NULL,
  action TEXT NOT NULL,
  diff TEXT,
  diff_truncated INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL,
  related_files TEXT NOT NULL DEFAULT '[]',
  line_range TEXT,
  implements_decision_id TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX file_changes_project_created ON file_changes(project_id, created_at DESC);
CREATE INDEX file_changes_session ON file_changes(session_id);

CREATE TABLE errors (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  session_id TEXT REFERENCES coding_sessions(id) ON DELETE SET NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  error_type TEXT NOT NULL,
  message TEXT NOT NULL,
  stack_trace TEXT,
  stack_trace_truncated INTEGER NOT NULL DEFAULT 0,
  file_path TEXT,
  line_number INTEGER,
  solution TEXT,
  resolved INTEGER NOT NULL DEFAULT 0,
  occurrences INTEGER NOT NULL DEFAULT 1,
  fingerprint TEXT NOT NULL,
  -- Error-aware normalised terms (paths, numbers, addresses, literals abstracted) that the FTS index reads.
  search_terms TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  resolved_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX errors_project_last_seen ON errors(project_id, last_seen DESC);
-- One record per distinct error in a project: a recurrence is an upsert that counts an occurrence.
CREATE UNIQUE INDEX errors_project_fingerprint ON errors(project_id, fingerprint);
CREATE INDEX errors_session ON errors(session_id);

CREATE TABLE decisions (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  session_id TEXT REFERENCES coding_sessions(id) ON DELETE SET NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  decision TEXT NOT NULL,
  rationale TEXT NOT NULL,
  alternatives TEXT NOT NULL DEFAULT '[]',
  impact TEXT,
  confidence REAL NOT NULL DEFAULT 0.8,
  related_files TEXT NOT NULL DEFAULT '[]',
  tags TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL
);
CREATE INDEX decisions_project_created ON decisions(project_id, created_at DESC);
CREATE INDEX decisions_session ON decisions(session_id);

-- Typed edges between records (error -solved_by-> solution, change -implements-> decision, …).
CREATE TABLE links (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  from_type TEXT NOT NULL,
  from_id TEXT NOT NULL,
  relation TEXT NOT NULL,
  to_type TEXT NOT NULL,
  to_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (from_type, from_id, relation, to_type, to_id)
);
CREATE INDEX links_to ON links(to_type, to_id);

-- Full-text indexes are external-content tables kept in sync by triggers, so no write path can forget them.
-- '_' is part of a token: search terms are already split by us, and keep whole identifiers like user_id.
CREATE VIRTUAL TABLE errors_fts USING fts5(search_terms, content='errors', content_rowid='rowid', tokenize="unicode61 tokenchars '_'");
CREATE TRIGGER errors_fts_insert AFTER INSERT ON errors BEGIN
  INSERT INTO errors_fts(rowid, search_terms) VALUES (new.rowid, new.search_terms);
END;
CREATE TRIGGER errors_fts_delete AFTER DELETE ON errors BEGIN
  INSERT INTO errors_fts(errors_fts, rowid, search_terms) VALUES ('delete', old.rowid, old.search_terms);
END;
CREATE TRIGGER errors_fts_update AFTER UPDATE OF search_terms ON errors BEGIN
  INSERT INTO errors_fts(errors_fts, rowid, search_terms) VALUES ('delete', old.rowid, old.search_terms);
  INSERT INTO errors_fts(rowid, search_terms) VALUES (new.rowid, new.search_terms);
END;

-- Document frequency per term, so a search can leave out terms that nearly every error contains ("error",
-- "type"): BM25 gains almost nothing from them but must score every row they match.
CREATE VIRTUAL TABLE errors_fts_vocab USING fts5vocab(errors_fts, row);

CREATE VIRTUAL TABLE decisions_fts USING fts5(decision, rationale, impact, tags, content='decisions', content_rowid='rowid', tokenize='porter unicode61');
CREATE TRIGGER decisions_fts_insert AFTER INSERT ON decisions BEGIN
  INSERT INTO decisions_fts(rowid, decision, rationale, impact, tags) VALUES (new.rowid, new.decision, new.rationale, new.impact, new.tags);
END;
CREATE TRIGGER decisions_fts_delete AFTER DELETE ON decisions BEGIN
  INSERT INTO decisions_fts(decisions_fts, rowid, decision, rationale, impact, tags) VALUES ('delete', old.rowid, old.decision, old.rationale, old.impact, old.tags);
END;
CREATE TRIGGER decisions_fts_update AFTER UPDATE ON decisions BEGIN
  INSERT INTO decisions_fts(decisions_fts, rowid, decision, rationale, impact, tags) VALUES ('delete', old.rowid, old.decision, old.rationale, old.impact, old.tags);
  INSERT INTO decisions_fts(rowid, decision, rationale, impact, tags) VALUES (new.rowid, new.decision, new.rationale, new.impact, new.tags);
END;

CREATE VIRTUAL TABLE file_changes_fts USING fts5(file_path, reason, diff, content='file_changes', content_rowid='rowid', tokenize='porter unicode61');
CREATE TRIGGER file_changes_fts_insert AFTER INSERT ON file_changes BEGIN
  INSERT INTO file_changes_fts(rowid, file_path, reason, diff) VALUES (new.rowid, new.file_path, new.reason, new.diff);
END;
CREATE TRIGGER file_changes_fts_delete AFTER DELETE ON file_changes BEGIN
  INSERT INTO file_changes_fts(file_changes_fts, rowid, file_path, reason, diff) VALUES ('delete', old.rowid, old.file_path, old.reason, old.diff);
END;
CREATE TRIGGER file_changes_fts_update AFTER UPDATE ON file_changes BEGIN
  INSERT INTO file_changes_fts(file_changes_fts, rowid, file_path, reason, diff) VALUES ('delete', old.rowid, old.file_path, old.reason, old.diff);
  INSERT INTO file_changes_fts(rowid, file_path, reason, diff) VALUES (new.rowid, new.file_path, new.reason, new.diff);
END;
