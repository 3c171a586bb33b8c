-- Signed-in browser sessions of the dashboard (src/auth/web-sessions.ts). The cookie holds a random secret;
-- only its SHA-256 is stored, like API tokens. `scopes` are what the user granted at sign-in (the consent
-- page), and `csrf` is the token every form of that session must send back. Expired rows are swept by the cron.
CREATE TABLE web_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  scopes TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);
CREATE INDEX web_sessions_expires ON web_sessions(expires_at);
