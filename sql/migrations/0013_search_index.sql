-- Text search over applications at a million cases, the same on SQLite and MariaDB (Galera: InnoDB
-- only, no engine-specific full-text index). Each case's applicant name and request text are indexed by
-- their characters and pairs of adjacent characters (workflow/search.hpp), written in the transaction
-- that stores the application (sql/search_index.cpp); a query reads the postings of its rarest gram and
-- checks the others, and a query longer than two characters is checked against the normalized text.
@sqlite CREATE TABLE IF NOT EXISTS search_grams (gram VARCHAR(16) NOT NULL, case_id BIGINT NOT NULL, PRIMARY KEY (gram, case_id)) WITHOUT ROWID;
@mysql CREATE TABLE IF NOT EXISTS search_grams (gram VARCHAR(16) NOT NULL, case_id BIGINT NOT NULL, PRIMARY KEY (gram, case_id)) {{table_options}};
-- The name and request text as searched (normalized), name and text separated by a line break.
CREATE TABLE IF NOT EXISTS search_texts (
  case_id BIGINT NOT NULL PRIMARY KEY,
  body MEDIUMTEXT NOT NULL
) {{table_options}};
-- Applications stored before this migration are indexed once at start (prepare_database), in batches,
-- by whichever instance gets there: the row says how far; it is removed when all are indexed.
CREATE TABLE IF NOT EXISTS search_backfill (
  id INT NOT NULL PRIMARY KEY,
  done_through BIGINT NOT NULL
) {{table_options}};
@sqlite INSERT OR IGNORE INTO search_backfill (id, done_through) VALUES (1, 0);
@mysql INSERT IGNORE INTO search_backfill (id, done_through) VALUES (1, 0);
-- The supervisor's dashboard at a million cases: the extension requests waiting for a decision are
-- read from an index instead of every case under review, and the count of overdue open cases (and of
-- the queue's due-date filters) from an index that holds both columns it tests.
CREATE INDEX IF NOT EXISTS idx_cases_state_extension ON cases (state, extension_pending);
CREATE INDEX IF NOT EXISTS idx_cases_state_due_sort ON cases (state, due_sort);
