-- How many times each error was seen per UTC day (day = epoch milliseconds / 86,400,000), counted by the same
-- batch that counts the occurrence on the error, so the dashboard can draw an error's recurrence timeline.
-- Errors recorded before this table get an approximation: one sighting on the day first seen, the rest on the
-- day last seen.
CREATE TABLE error_occurrence_days (
  error_id TEXT NOT NULL REFERENCES errors(id) ON DELETE CASCADE,
  day INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (error_id, day)
);
INSERT INTO error_occurrence_days (error_id, day, count)
  SELECT id, first_seen / 86400000, 1 FROM errors;
INSERT INTO error_occurrence_days (error_id, day, count)
  SELECT id, last_seen / 86400000, occurrences - 1 FROM errors WHERE occurrences > 1
  ON CONFLICT (error_id, day) DO UPDATE SET count = count + excluded.count;
