-- The clocks the machine computes in each case's transaction, stored with the case so that lists and the
-- sweeper read them instead of recomputing every case's history (sql/cases.cpp store_case):
-- period_due: the last day of the period the case waits on (received: the correction notice window, Art.
-- 30; correction_requested: the correction period; consulting: the third party's period, Art. 32);
-- extension_pending: working days of an extension asked for and not yet decided; clocks_stored: 1 once
-- written by this version (older rows are filled in once at start, prepare_database).
@sqlite ALTER TABLE cases ADD COLUMN period_due CHAR(10) NULL;
@mysql ALTER TABLE cases ADD COLUMN IF NOT EXISTS period_due CHAR(10) NULL;
@sqlite ALTER TABLE cases ADD COLUMN extension_pending INT NOT NULL DEFAULT 0;
@mysql ALTER TABLE cases ADD COLUMN IF NOT EXISTS extension_pending INT NOT NULL DEFAULT 0;
@sqlite ALTER TABLE cases ADD COLUMN clocks_stored INT NOT NULL DEFAULT 0;
@mysql ALTER TABLE cases ADD COLUMN IF NOT EXISTS clocks_stored INT NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS idx_cases_state_period ON cases (state, period_due);
