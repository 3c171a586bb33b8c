-- Screenshots and other images attached to errors (issue 7). The bytes live in R2 under a per-project key;
-- this row says whose they are, so they are served only to members of the project's team.
CREATE TABLE attachments (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  error_id TEXT REFERENCES errors(id) ON DELETE SET NULL,
  content_type TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  r2_key TEXT NOT NULL,
  -- Where it came from: upload, data URL, base64, or the https URL it was fetched from.
  origin TEXT NOT NULL,
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX attachments_project ON attachments(project_id, created_at DESC);
CREATE INDEX attachments_error ON attachments(error_id);
