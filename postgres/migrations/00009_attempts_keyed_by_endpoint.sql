-- webhook_attempts is keyed by (webhook_id, id): the key serves
-- list_webhook_deliveries (an endpoint's newest attempts) by itself, so
-- webhook_attempts_recent goes, and each attempt recorded writes one
-- B-tree entry fewer. id stays unique on its own (an identity).

-- +goose Up
ALTER TABLE webhook_attempts DROP CONSTRAINT webhook_attempts_pkey, ADD PRIMARY KEY (webhook_id, id);
DROP INDEX webhook_attempts_recent;

-- +goose Down
CREATE INDEX webhook_attempts_recent ON webhook_attempts (webhook_id, id);
ALTER TABLE webhook_attempts DROP CONSTRAINT webhook_attempts_pkey, ADD PRIMARY KEY (id);
