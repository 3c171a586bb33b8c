-- Term statistics for error search, per project. FTS5's own statistics (bm25()'s document count, average length
-- and document frequencies, and the fts5vocab table) are global to the index, so one team's errors changed the
-- scores of another team's search and a score told whether a rare word existed in someone else's project.
-- Search now ranks with BM25 computed from these per-project counts (src/adapters/d1/memory-store.ts), and the
-- FTS index is only used to find candidates (a yes/no match, filtered to the project).
--
-- `search_terms` holds distinct terms matching ^[a-z0-9_]+$ separated by single spaces (lexicalTerms), so each
-- term is exactly one FTS token and the space-joined list is turned into a JSON array by string replacement.
-- Triggers keep the counts in step with every write, as the FTS triggers do: no write path can forget them.

CREATE TABLE error_term_stats (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  term TEXT NOT NULL,
  -- Errors of the project whose search_terms contain the term.
  docs INTEGER NOT NULL,
  PRIMARY KEY (project_id, term)
) WITHOUT ROWID;

CREATE TABLE error_search_totals (
  project_id TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  -- Errors of the project, and the sum of their search_terms lengths in terms (BM25's N and average length).
  docs INTEGER NOT NULL,
  terms INTEGER NOT NULL
);

INSERT INTO error_term_stats (project_id, term, docs)
SELECT project_id, term, count(*) FROM (
  SELECT DISTINCT errors.rowid AS error_rowid, errors.project_id AS project_id, j.value AS term
  FROM errors, json_each('["' || replace(errors.search_terms, ' ', '","') || '"]') AS j
  WHERE j.value <> ''
)
GROUP BY project_id, term;

INSERT INTO error_search_totals (project_id, docs, terms)
SELECT project_id, count(*),
  sum(CASE WHEN search_terms = '' THEN 0 ELSE length(search_terms) - length(replace(search_terms, ' ', '')) + 1 END)
FROM errors GROUP BY project_id;

CREATE TRIGGER error_term_stats_insert AFTER INSERT ON errors BEGIN
  INSERT INTO error_term_stats (project_id, term, docs)
    SELECT DISTINCT new.project_id, value, 1 FROM json_each('["' || replace(new.search_terms, ' ', '","') || '"]')
    WHERE value <> ''
    ON CONFLICT (project_id, term) DO UPDATE SET docs = docs + 1;
  INSERT INTO error_search_totals (project_id, docs, terms)
    VALUES (new.project_id, 1, CASE WHEN new.search_terms = '' THEN 0
      ELSE length(new.search_terms) - length(replace(new.search_terms, ' ', '')) + 1 END)
    ON CONFLICT (project_id) DO UPDATE SET docs = docs + 1, terms = terms + excluded.terms;
END;

CREATE TRIGGER error_term_stats_delete AFTER DELETE ON errors BEGIN
  UPDATE error_term_stats SET docs = docs - 1
    WHERE project_id = old.project_id
      AND term IN (SELECT value FROM json_each('["' || replace(old.search_terms, ' ', '","') || '"]'));
  DELETE FROM error_term_stats
    WHERE project_id = old.project_id AND docs <= 0
      AND term IN (SELECT value FROM json_each('["' || replace(old.search_terms, ' ', '","') || '"]'));
  UPDATE error_search_totals SET docs = docs - 1,
    terms = terms - CASE WHEN old.search_terms = '' THEN 0
      ELSE length(old.search_terms) - length(replace(old.search_terms, ' ', '')) + 1 END
    WHERE project_id = old.project_id;
END;

CREATE TRIGGER error_term_stats_update AFTER UPDATE OF search_terms, project_id ON errors BEGIN
  UPDATE error_term_stats SET docs = docs - 1
    WHERE project_id = old.project_id
      AND term IN (SELECT value FROM json_each('["' || replace(old.search_terms, ' ', '","') || '"]'));
  DELETE FROM error_term_stats
    WHERE project_id = old.project_id AND docs <= 0
      AND term IN (SELECT value FROM json_each('["' || replace(old.search_terms, ' ', '","') || '"]'));
  UPDATE error_search_totals SET docs = docs - 1,
    terms = terms - CASE WHEN old.search_terms = '' THEN 0
      ELSE length(old.search_terms) - length(replace(old.search_terms, ' ', '')) + 1 END
    WHERE project_id = old.project_id;
  INSERT INTO error_term_stats (project_id, term, docs)
    SELECT DISTINCT new.project_id, value, 1 FROM json_each('["' || replace(new.search_terms, ' ', '","') || '"]')
    WHERE value <> ''
    ON CONFLICT (project_id, term) DO UPDATE SET docs = docs + 1;
  INSERT INTO error_search_totals (project_id, docs, terms)
    VALUES (new.project_id, 1, CASE WHEN new.search_terms = '' THEN 0
      ELSE length(new.search_terms) - length(replace(new.search_terms, ' ', '')) + 1 END)
    ON CONFLICT (project_id) DO UPDATE SET docs = docs + 1, terms = terms + excluded.terms;
END;

-- Global document frequencies: nothing reads them any more, and they described every project's errors at once.
DROP TABLE errors_fts_vocab;
