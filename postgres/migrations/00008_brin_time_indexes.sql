-- The indexes that retention deletes by (events.created_at,
-- webhook_deliveries.created_at, webhook_attempts.attempted_at) become BRIN:
-- rows arrive in time order, so a block range summary finds them as well
-- as a B-tree, and a row written (or an event numbered: the sequencer's
-- UPDATE is not HOT) adds no entry to it. Under a lifecycle load with one
-- webhook endpoint that is three of the ten B-tree entries a delivery
-- wrote besides the API's own.

-- +goose Up
DROP INDEX events_created;
CREATE INDEX events_created ON events USING brin (created_at);
DROP INDEX webhook_deliveries_created;
CREATE INDEX webhook_deliveries_created ON webhook_deliveries USING brin (created_at);
DROP INDEX webhook_attempts_at;
CREATE INDEX webhook_attempts_at ON webhook_attempts USING brin (attempted_at);

-- +goose Down
DROP INDEX webhook_attempts_at;
CREATE INDEX webhook_attempts_at ON webhook_attempts (attempted_at);
DROP INDEX webhook_deliveries_created;
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);
DROP INDEX events_created;
CREATE INDEX events_created ON events (created_at);
