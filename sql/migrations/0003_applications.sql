-- Applications (Art. 29), tracking numbers, and what the public pages need to stay safe on many instances.
CREATE TABLE IF NOT EXISTS applications (
  case_id BIGINT NOT NULL PRIMARY KEY,
  category VARCHAR(20) NOT NULL,
  name VARCHAR(400) NOT NULL,
  id_type VARCHAR(20) NULL,
  id_number VARCHAR(40) NULL,
  credit_code CHAR(18) NULL,
  contact_person VARCHAR(200) NULL,
  phone VARCHAR(40) NOT NULL,
  email VARCHAR(254) NULL,
  address VARCHAR(800) NOT NULL,
  description MEDIUMTEXT NOT NULL,
  info_form VARCHAR(16) NOT NULL,
  delivery VARCHAR(16) NOT NULL,
  channel VARCHAR(20) NOT NULL,
  access_code_hash CHAR(64) NOT NULL,
  created_at BIGINT NOT NULL
) {{table_options}};

-- One row per year; the next tracking number is taken under the row lock, on any number of instances.
CREATE TABLE IF NOT EXISTS tracking_counters (
  year INT NOT NULL PRIMARY KEY,
  last_number INT NOT NULL
) {{table_options}};

-- Fixed-window counters per (purpose, hashed client address).
CREATE TABLE IF NOT EXISTS rate_limits (
  bucket CHAR(64) NOT NULL PRIMARY KEY,
  window_start BIGINT NOT NULL,
  hits INT NOT NULL
) {{table_options}};

-- Anti-forgery tokens are signed, not stored; a token is recorded here when used, so it works once.
CREATE TABLE IF NOT EXISTS used_form_tokens (
  nonce CHAR(32) NOT NULL PRIMARY KEY,
  used_at BIGINT NOT NULL
) {{table_options}};

-- Secrets every instance shares (the anti-forgery signing key), created at first start.
CREATE TABLE IF NOT EXISTS secrets (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value VARCHAR(200) NOT NULL
) {{table_options}};
