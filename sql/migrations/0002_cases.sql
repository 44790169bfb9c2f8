-- The working-day calendar (loaded schedules) and the cases with their append-only transition log.
-- Dates are local (Asia/Shanghai) 'YYYY-MM-DD'; instants are Unix milliseconds, UTC.
CREATE TABLE IF NOT EXISTS calendar_years (
  year INT NOT NULL PRIMARY KEY,
  source VARCHAR(200) NOT NULL,
  loaded_at BIGINT NOT NULL
) {{table_options}};

-- kind: 'off' (放假) or 'makeup' (调休上班); year: the schedule that lists the day.
CREATE TABLE IF NOT EXISTS calendar_days (
  day CHAR(10) NOT NULL PRIMARY KEY,
  kind VARCHAR(10) NOT NULL,
  year INT NOT NULL
) {{table_options}};

CREATE TABLE IF NOT EXISTS cases (
  id {{id}},
  tracking_no VARCHAR(32) NOT NULL UNIQUE,
  state VARCHAR(32) NOT NULL,
  version INT NOT NULL,
  received_on CHAR(10) NOT NULL,
  reply_due CHAR(10) NULL,
  due_provisional INT NOT NULL DEFAULT 0,
  concluded_on CHAR(10) NULL,
  outcome VARCHAR(8) NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
) {{table_options}};

CREATE INDEX IF NOT EXISTS idx_cases_state_due ON cases (state, reply_due);

-- Append-only: no code path updates or deletes a row. (case_id, seq) is unique, so a transition can
-- never be recorded twice.
CREATE TABLE IF NOT EXISTS transitions (
  id {{id}},
  case_id BIGINT NOT NULL,
  seq INT NOT NULL,
  event VARCHAR(32) NOT NULL,
  from_state VARCHAR(32) NULL,
  to_state VARCHAR(32) NOT NULL,
  actor_role VARCHAR(16) NOT NULL,
  actor VARCHAR(64) NOT NULL,
  occurred_at BIGINT NOT NULL,
  effective_on CHAR(10) NOT NULL,
  payload MEDIUMTEXT NOT NULL,
  UNIQUE (case_id, seq)
) {{table_options}};

-- The database itself refuses to change or remove a transition. (@backend: that backend only.)
@sqlite CREATE TRIGGER IF NOT EXISTS transitions_no_update BEFORE UPDATE ON transitions BEGIN SELECT RAISE(ABORT, 'transitions are append-only'); END;
@sqlite CREATE TRIGGER IF NOT EXISTS transitions_no_delete BEFORE DELETE ON transitions BEGIN SELECT RAISE(ABORT, 'transitions are append-only'); END;
@mysql CREATE TRIGGER IF NOT EXISTS transitions_no_update BEFORE UPDATE ON transitions FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'transitions are append-only';
@mysql CREATE TRIGGER IF NOT EXISTS transitions_no_delete BEFORE DELETE ON transitions FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'transitions are append-only';
