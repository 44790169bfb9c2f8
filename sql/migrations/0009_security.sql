-- Login throttling shared by every instance: one row per account and one per client address (both kept
-- only as a hash). Times are Unix milliseconds, UTC.
CREATE TABLE IF NOT EXISTS login_failures (
  bucket CHAR(64) NOT NULL PRIMARY KEY,
  failures INT NOT NULL,
  last_failure_at BIGINT NOT NULL,
  next_allowed_at BIGINT NOT NULL
) {{table_options}};
CREATE INDEX IF NOT EXISTS idx_login_failures_last ON login_failures (last_failure_at);

-- Security events (logins, throttling, password and role changes, disabling, API tokens), each written in
-- the transaction of the change it records. `client` is the peer address as the server sees it.
CREATE TABLE IF NOT EXISTS audit_log (
  id {{id}},
  at_ms BIGINT NOT NULL,
  actor VARCHAR(64) NULL,
  kind VARCHAR(40) NOT NULL,
  target VARCHAR(64) NULL,
  client VARCHAR(64) NULL,
  detail TEXT NOT NULL
) {{table_options}};
CREATE INDEX IF NOT EXISTS idx_audit_log_at ON audit_log (at_ms);

-- What the sweeper prunes by.
CREATE INDEX IF NOT EXISTS idx_auth_sessions_expires ON auth_sessions (expires_at);
CREATE INDEX IF NOT EXISTS idx_auth_sessions_seen ON auth_sessions (last_seen_at);
CREATE INDEX IF NOT EXISTS idx_rate_limits_window ON rate_limits (window_start);
CREATE INDEX IF NOT EXISTS idx_used_form_tokens_used ON used_form_tokens (used_at);
