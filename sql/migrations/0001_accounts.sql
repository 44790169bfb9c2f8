-- Staff accounts, their roles and their login sessions. Times are Unix seconds, UTC.
CREATE TABLE IF NOT EXISTS users (
  id {{id}},
  username VARCHAR(64) NOT NULL UNIQUE,
  display_name VARCHAR(100) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  must_change_password INT NOT NULL DEFAULT 0,
  disabled INT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
) {{table_options}};

CREATE TABLE IF NOT EXISTS user_roles (
  user_id BIGINT NOT NULL,
  role VARCHAR(20) NOT NULL,
  PRIMARY KEY (user_id, role)
) {{table_options}};

-- Only a hash of the session token is stored: a copy of the table opens no session.
CREATE TABLE IF NOT EXISTS auth_sessions (
  token_hash CHAR(64) NOT NULL PRIMARY KEY,
  user_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
) {{table_options}};

CREATE INDEX IF NOT EXISTS idx_auth_sessions_user ON auth_sessions (user_id);
