-- Which embedding model an error's vector was computed with. Indexing runs off the request path (a queue), so an
-- error exists before its vector does; search trusts a vector only when `vector_model` equals the configured
-- embedder's id, and treats every other error as pending (lexical and fingerprint signals only).
--   NULL       no vector yet (new error, or a re-index asked for all vectors to be rebuilt)
--   '<model>'  indexed with that model; after a model change the old id no longer matches, so it is pending again
--   'failed'   the last indexing job for it was dead-lettered after its retries; a re-index tries again
-- `vector_indexed_at` is when `vector_model` was last set (indexed or failed), epoch milliseconds.
ALTER TABLE errors ADD COLUMN vector_model TEXT;
ALTER TABLE errors ADD COLUMN vector_indexed_at INTEGER;

-- Covers the index-status counts and the re-index walk (keyset on id within a project, filtered on
-- vector_model) without touching the table rows.
CREATE INDEX errors_project_vector_state ON errors(project_id, id, vector_model);
