-- Webhook deliveries and attempts are pruned in id order (events.go,
-- PruneEvents): ids follow the one writer's commits, so the rows older
-- than a cutoff are those before the first row at or after it, found by a
-- scan in id order that stops there. The two indexes on their times served
-- only that hourly prune, and each cost every delivery an index entry (and
-- every commit a page more to write).

-- +goose Up
DROP INDEX IF EXISTS webhook_deliveries_created;
DROP INDEX IF EXISTS webhook_attempts_at;

-- +goose Down
CREATE INDEX IF NOT EXISTS webhook_deliveries_created ON webhook_deliveries (created_at);
CREATE INDEX IF NOT EXISTS webhook_attempts_at ON webhook_attempts (attempted_at);
