-- Named error classes a team defines: a matcher over an error's type, message and stack trace (case-insensitive
-- "contains", every given part must match). Errors of the team's projects that match are tagged `class:<name>`
-- (when recorded, and all at once when the class is defined), so patterns count them and search filters by them.
CREATE TABLE error_classes (
  team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  type_contains TEXT,
  message_contains TEXT,
  frame_contains TEXT,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (team_id, name)
);
