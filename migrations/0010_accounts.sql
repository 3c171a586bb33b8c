-- Sign-in for OAuth (issue 6): built-in accounts for self-hosting and local development (PBKDF2 password
-- hashes), and identities from upstream providers (GitHub, an OIDC provider) mapped to users.

CREATE TABLE accounts (
  user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  -- "pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>"
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE user_identities (
  provider TEXT NOT NULL,
  subject TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (provider, subject)
);
