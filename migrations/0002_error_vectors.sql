-- Embeddings of errors for semantic search, one row per (namespace, id). `namespace` isolates a project (and may
-- carry the embedder id so vectors of different models never meet); `vec` is little-endian float32, `dims` long;
-- `metadata` is a JSON object of string/number/boolean values used for equality filters.
CREATE TABLE error_vectors (
  namespace TEXT NOT NULL,
  id TEXT NOT NULL,
  dims INTEGER NOT NULL,
  vec BLOB NOT NULL,
  metadata TEXT,
  PRIMARY KEY (namespace, id)
);
