-- CI failures by webhook (issue 6): where errors come from, per-project webhook secrets, and deliveries seen
-- (a replayed delivery id writes nothing).

ALTER TABLE errors ADD COLUMN source TEXT NOT NULL DEFAULT 'user';
ALTER TABLE errors ADD COLUMN last_commit TEXT;
ALTER TABLE errors ADD COLUMN last_ci_job TEXT;

CREATE TABLE project_webhooks (
  project_id TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  -- The HMAC key GitHub (or any CI) signs deliveries with; it must be usable to verify, so it is stored as is
  -- and shown once when set. Rotating it replaces it.
  secret TEXT NOT NULL,
  -- "owner/name": deliveries to /webhooks/github without ?project= are matched by the payload's repository.
  repository TEXT UNIQUE,
  -- Errors from CI are recorded as this user (the admin who configured the webhook), with source 'ci'.
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  delivery_id TEXT NOT NULL,
  source TEXT NOT NULL,
  event TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  errors_recorded INTEGER NOT NULL,
  PRIMARY KEY (project_id, delivery_id)
);
