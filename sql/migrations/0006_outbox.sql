-- Messages to applicants and staff, written in the same transaction as the transition that causes them
-- (nothing is lost if the server dies), delivered later by a sender that retries with back-off.
CREATE TABLE IF NOT EXISTS outbox (
  id {{id}},
  case_id BIGINT NULL,
  dedupe_key VARCHAR(120) NOT NULL UNIQUE,
  kind VARCHAR(40) NOT NULL,
  audience VARCHAR(16) NOT NULL,
  recipient VARCHAR(254) NULL,
  data MEDIUMTEXT NOT NULL,
  status VARCHAR(10) NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  claimed_until BIGINT NOT NULL DEFAULT 0,
  last_error VARCHAR(400) NULL,
  created_at BIGINT NOT NULL,
  sent_at BIGINT NULL
) {{table_options}};
CREATE INDEX IF NOT EXISTS idx_outbox_status ON outbox (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS idx_outbox_case ON outbox (case_id);
