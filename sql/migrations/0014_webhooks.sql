-- Webhooks (issue 13): other systems an admin registers; each accepted transition is delivered to each
-- active one through the outbox (audience 'webhook', recipient = the webhook's id), signed with its secret.
CREATE TABLE IF NOT EXISTS webhooks (
  id {{id}},
  url VARCHAR(500) NOT NULL,
  secret VARCHAR(100) NOT NULL,
  active INT NOT NULL DEFAULT 1,
  created_by VARCHAR(64) NOT NULL,
  created_at BIGINT NOT NULL
) {{table_options}};
CREATE INDEX IF NOT EXISTS idx_outbox_audience ON outbox (audience, status, next_attempt_at);
