-- Staff notices: an address for each account (optional), and whose inbox a message belongs to.
@sqlite ALTER TABLE users ADD COLUMN email VARCHAR(254) NULL;
@mysql ALTER TABLE users ADD COLUMN IF NOT EXISTS email VARCHAR(254) NULL;
@sqlite ALTER TABLE outbox ADD COLUMN recipient_user VARCHAR(64) NULL;
@mysql ALTER TABLE outbox ADD COLUMN IF NOT EXISTS recipient_user VARCHAR(64) NULL;
CREATE INDEX IF NOT EXISTS idx_outbox_user ON outbox (recipient_user, id);
