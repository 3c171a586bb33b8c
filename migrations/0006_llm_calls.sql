-- Every LLM call (and every call refused or held for approval), for cost reports and monthly budgets. Costs are
-- integer nano-dollars (1 USD = 1e9), exact under addition; a reservation holds the estimate until the call
-- settles with what it really cost.
CREATE TABLE llm_calls (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  session_id TEXT,
  operation TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  input_tokens INTEGER NOT NULL,
  cached_input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  estimated_nano_usd INTEGER NOT NULL,
  nano_usd INTEGER NOT NULL,
  latency_ms INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'refused_budget', 'approval_required', 'denied')),
  error TEXT,
  month TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
-- The budget check sums a project's month; the report lists its calls newest first.
CREATE INDEX llm_calls_project_month ON llm_calls(project_id, month, nano_usd);
CREATE INDEX llm_calls_project_created ON llm_calls(project_id, created_at DESC, id);
