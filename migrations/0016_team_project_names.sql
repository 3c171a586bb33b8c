-- Project names are per team (issue 15): two teams may each have a project "api", and a write to a name
-- never reveals that another team uses it. The old `slug` column carries an inline UNIQUE that SQLite cannot
-- drop without rebuilding `projects`, and a rebuild is not safe on D1: foreign keys cannot be turned off
-- there, so dropping the old table would fire every ON DELETE CASCADE and wipe the projects' memory. Instead
-- the constrained column is renamed out of the way (it keeps a unique internal key, 'id:' || id, which no
-- name can collide with as names have no ':'), and `slug` becomes a new column unique within its team.
ALTER TABLE projects RENAME COLUMN slug TO legacy_key;
ALTER TABLE projects ADD COLUMN slug TEXT NOT NULL DEFAULT '';
UPDATE projects SET slug = legacy_key, legacy_key = 'id:' || id;
CREATE UNIQUE INDEX projects_team_slug ON projects(team_id, slug);
-- Deliveries addressed by a plain name (?project=api) look among the projects of that name.
CREATE INDEX projects_slug ON projects(slug);
