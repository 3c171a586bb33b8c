-- Answers to write requests sent with an Idempotency-Key header (src/http/idempotency.ts): the same key again
-- from the same user gets the stored answer instead of a second write. A client hook's spool sends every event
-- with its own id as the key, so an event whose answer was lost in transit is not recorded twice. Kept a day.
CREATE TABLE idempotent_requests (
  user_id TEXT NOT NULL,
  key TEXT NOT NULL,
  route TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotent_requests_created ON idempotent_requests(created_at);
