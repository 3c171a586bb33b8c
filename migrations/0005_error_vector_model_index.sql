-- Search reports how many errors are still waiting for a vector on every call. With this index that count reads
-- only the pending rows (range counts on vector_model) instead of every row of the project.
CREATE INDEX errors_project_vector_model ON errors(project_id, vector_model);

-- The scheduled sweep (src/index.ts `scheduled`) re-queues errors whose indexing job was lost (a failed queue send)
-- or never ran. Only pending rows are in this index, so the sweep reads nothing else.
CREATE INDEX errors_vector_unqueued ON errors(vector_indexed_at, created_at) WHERE vector_model IS NULL;
