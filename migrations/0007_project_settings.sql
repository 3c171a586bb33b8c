-- Per-project overrides of the server's LLM settings (CODING_MEMORY_* variables). NULL = use the server default.
CREATE TABLE project_settings (
  project_id TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  model TEXT,
  vision_model TEXT,
  auto_approve INTEGER,
  cost_threshold_usd REAL,
  max_monthly_budget_usd REAL,
  warn_at_percentage REAL,
  auto_summarize_on_end INTEGER,
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
