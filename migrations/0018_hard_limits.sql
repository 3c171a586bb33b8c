-- Issue 15 items 10 and 11.
-- Why a session's AI summary could not be written (no API key, the provider refused the request, every retry
-- failed): shown with the session instead of a summary that stays "pending" forever. NULL when none failed.
ALTER TABLE coding_sessions ADD COLUMN summary_error TEXT;

-- A CI delivery is also known by the SHA-256 of its body: a captured body re-sent under a new delivery id is the
-- same delivery. NULL for deliveries recorded before this column (SQLite's UNIQUE allows many NULLs).
ALTER TABLE webhook_deliveries ADD COLUMN body_sha256 TEXT;
CREATE UNIQUE INDEX webhook_deliveries_body ON webhook_deliveries(project_id, body_sha256);
