-- The store writes each event's webhook deliveries itself, in the batch
-- that commits the event, leased when the dispatcher has room for them
-- (sqlite/deliveries.go): one INSERT per batch where the trigger ran a
-- program per event and the batch then read the rows back to lease them.

-- +goose Up
DROP TRIGGER IF EXISTS events_webhook_deliveries;

-- +goose Down
-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS events_webhook_deliveries AFTER INSERT ON events BEGIN
    INSERT INTO webhook_deliveries (webhook_id, event_id, created_at, next_at)
    SELECT w.webhook_id, NEW.id, NEW.created_at, NEW.created_at FROM webhook_endpoints w
    WHERE w.partner_id = NEW.partner_id
      AND (w.events = '' OR instr(',' || w.events || ',', ',' || NEW.type || ',') > 0);
END;
-- +goose StatementEnd
