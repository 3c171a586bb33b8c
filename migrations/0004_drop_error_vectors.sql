-- The local vector index moved from D1 (table error_vectors, migration 0002) to the ProjectVectors Durable Object,
-- one SQLite per project, whose queries stay fast at 100,000 vectors. Vectors are derived data: a re-index
-- (`POST /api/v1/projects/:project/errors/reindex`) rebuilds them, so nothing is migrated.
DROP TABLE IF EXISTS error_vectors;
