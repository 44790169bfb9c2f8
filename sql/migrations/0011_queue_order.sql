-- The work queue at a million cases: its default order (due date first, cases without one last) as an
-- indexed column kept with the reply due date (sql/cases.cpp store_case), so a page is read from the
-- index instead of sorting every case; and an index for the order by receipt date.
@sqlite ALTER TABLE cases ADD COLUMN due_sort CHAR(10) NOT NULL DEFAULT '9999-12-31';
@mysql ALTER TABLE cases ADD COLUMN IF NOT EXISTS due_sort CHAR(10) NOT NULL DEFAULT '9999-12-31';
UPDATE cases SET due_sort = COALESCE(reply_due, '9999-12-31');
CREATE INDEX IF NOT EXISTS idx_cases_due_sort ON cases (due_sort, id);
CREATE INDEX IF NOT EXISTS idx_cases_received ON cases (received_on, id);
