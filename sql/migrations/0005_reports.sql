-- What the annual report counts, kept on each transition so the tables are plain SQL aggregates:
-- the outcome code of a conclusion (answer, withdrawal, expired correction), an appeal's kind, a decision's result.
@sqlite ALTER TABLE transitions ADD COLUMN report_key VARCHAR(40) NULL;
@mysql ALTER TABLE transitions ADD COLUMN IF NOT EXISTS report_key VARCHAR(40) NULL;
CREATE INDEX IF NOT EXISTS idx_transitions_event ON transitions (event, occurred_at);

-- A published year, frozen: the figures as published, and who froze them when.
CREATE TABLE IF NOT EXISTS report_locks (
  year INT NOT NULL PRIMARY KEY,
  figures MEDIUMTEXT NOT NULL,
  locked_by VARCHAR(64) NOT NULL,
  locked_at BIGINT NOT NULL
) {{table_options}};
