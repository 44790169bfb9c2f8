-- A covering index for the annual report's per-case pass over the log (sql/reports.cpp): the report reads
-- the index alone instead of the table (measured on 1,000,000 cases: MariaDB 3.8-7.3 s -> 2.0-5.0 s).
CREATE INDEX IF NOT EXISTS idx_transitions_report ON transitions (case_id, event, occurred_at, effective_on, seq);
