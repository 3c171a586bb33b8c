-- Teams own projects (issue 6). A project's memory is shared by its team; a member's role bounds what they can
-- do, and a token's scopes (and optional team/project restriction) bound it further.

CREATE TABLE teams (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  -- A user's personal team: projects created without naming a team land here; it has one member.
  personal INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX teams_one_personal ON teams(created_by) WHERE personal = 1;

CREATE TABLE team_members (
  team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  added_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);

-- An invitation is a one-time code (only its hash is stored) that makes whoever redeems it a member.
CREATE TABLE team_invitations (
  id TEXT PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
  code_hash TEXT NOT NULL UNIQUE,
  note TEXT,
  invited_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  accepted_by TEXT,
  accepted_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX team_invitations_team ON team_invitations(team_id);

ALTER TABLE projects ADD COLUMN team_id TEXT REFERENCES teams(id);

-- Existing projects keep exactly their members: each becomes the one project of a team of its own.
INSERT INTO teams (id, slug, name, personal, created_by, created_at)
  SELECT 'team-' || id, 'project-' || slug, slug, 0, created_by, created_at FROM projects;
INSERT INTO team_members (team_id, user_id, role, added_by, created_at)
  SELECT 'team-' || project_id, user_id, role, user_id, created_at FROM project_members;
UPDATE projects SET team_id = 'team-' || id;
CREATE INDEX projects_team ON projects(team_id);
DROP TABLE project_members;

-- Scopes bound what a token can do whatever the user's role: memory:read, memory:write, admin (JSON array).
-- team_id / project_id, when set, restrict the token to that team's projects or that one project.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '["memory:read","memory:write","admin"]';
ALTER TABLE api_tokens ADD COLUMN team_id TEXT REFERENCES teams(id) ON DELETE CASCADE;
ALTER TABLE api_tokens ADD COLUMN project_id TEXT REFERENCES projects(id) ON DELETE CASCADE;
CREATE INDEX api_tokens_user ON api_tokens(user_id);
