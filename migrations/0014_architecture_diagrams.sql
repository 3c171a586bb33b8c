-- Architecture diagrams read for the project (issue 7): components, connections and the pattern they show,
-- from a diagram's source (Mermaid, PlantUML, DOT, D2) or from an image read by the vision model. The latest
-- ones are part of the project context.
CREATE TABLE architecture_diagrams (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  -- mermaid | plantuml | dot | d2 | labels (parsed here) or vision (read by a model)
  source_format TEXT NOT NULL,
  source_text TEXT,
  attachment_id TEXT REFERENCES attachments(id) ON DELETE SET NULL,
  model TEXT,
  components TEXT NOT NULL,
  connections TEXT NOT NULL,
  pattern TEXT NOT NULL,
  pattern_confidence TEXT NOT NULL,
  evidence TEXT NOT NULL,
  summary TEXT NOT NULL,
  decision_id TEXT REFERENCES decisions(id) ON DELETE SET NULL,
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL
);
CREATE INDEX architecture_diagrams_project ON architecture_diagrams(project_id, created_at DESC);
