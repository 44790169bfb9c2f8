-- Who handles each case, agency settings printed on letters, and API tokens for other office systems.
@sqlite ALTER TABLE cases ADD COLUMN assignee VARCHAR(64) NULL;
@mysql ALTER TABLE cases ADD COLUMN IF NOT EXISTS assignee VARCHAR(64) NULL;
CREATE INDEX IF NOT EXISTS idx_cases_assignee ON cases (assignee, state);

CREATE TABLE IF NOT EXISTS settings (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value MEDIUMTEXT NOT NULL
) {{table_options}};

-- Only the token's hash is kept; the token is shown once to the admin who issues it.
CREATE TABLE IF NOT EXISTS api_tokens (
  token_hash CHAR(64) NOT NULL PRIMARY KEY,
  user_id BIGINT NOT NULL,
  label VARCHAR(100) NOT NULL,
  created_at BIGINT NOT NULL,
  revoked INT NOT NULL DEFAULT 0
) {{table_options}};

CREATE TABLE IF NOT EXISTS reveals (
  id {{id}},
  case_id BIGINT NOT NULL,
  field VARCHAR(32) NOT NULL,
  user_name VARCHAR(64) NOT NULL,
  revealed_at BIGINT NOT NULL
) {{table_options}};

-- The due date a case had when it was first concluded: the on-time rate compares against it.
@sqlite ALTER TABLE cases ADD COLUMN concluded_due CHAR(10) NULL;
@mysql ALTER TABLE cases ADD COLUMN IF NOT EXISTS concluded_due CHAR(10) NULL;
