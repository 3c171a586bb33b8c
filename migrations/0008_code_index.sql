-- The code import graph (issue 5). File contents are never stored: only each file's hash, language, parse
-- error and the import statements found in it (or, for tsconfig/package.json, the resolution settings).

CREATE TABLE code_files (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  -- sha256 of the UTF-8 content: an upload with the same hash is skipped without parsing.
  content_hash TEXT NOT NULL,
  language TEXT NOT NULL CHECK (language IN ('typescript', 'javascript', 'python', 'config')),
  size_bytes INTEGER NOT NULL,
  parse_error TEXT,
  -- JSON: import statements as extracted (JS/TS: specifier, kind, line; Python: module, level, names, line),
  -- or the resolution settings of a config file.
  facts TEXT NOT NULL,
  indexed_by TEXT NOT NULL,
  indexed_at INTEGER NOT NULL,
  -- When the content last changed after the first index (NULL until then): memories about the file recorded
  -- before this time may be stale. A deleted file keeps its row as a tombstone for the same reason.
  content_changed_at INTEGER,
  deleted_at INTEGER,
  PRIMARY KEY (project_id, path)
);

-- Bumped by every write to a project's files, so a graph snapshot built from older files is never served.
CREATE TABLE code_index_state (
  project_id TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  generation INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The resolved graph of one generation, gzip+base64 JSON in chunks (D1 rows stay well under their 2 MB limit).
-- Queries read it in one round trip instead of every file's row.
CREATE TABLE code_graph_chunks (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  generation INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (project_id, seq)
);

-- Decision → implementation progress reads the changes that implement one decision.
CREATE INDEX file_changes_decision ON file_changes(project_id, implements_decision_id)
  WHERE implements_decision_id IS NOT NULL;
