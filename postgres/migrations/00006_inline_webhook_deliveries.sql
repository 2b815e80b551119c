-- The statements that insert events write their webhook deliveries
-- themselves (postgres/events.go, enqueueDeliveries), in the same
-- statement, so the row trigger of migration 5 goes: it cost a PL/pgSQL
-- call, an after-trigger event and a planned INSERT per event, also for
-- partners with no endpoint, 6-10% of PostgreSQL's time in a lifecycle.

-- +goose Up
DROP TRIGGER events_webhook_deliveries ON events;
DROP FUNCTION coord_enqueue_webhooks();

-- +goose Down
-- +goose StatementBegin
CREATE FUNCTION coord_enqueue_webhooks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_deliveries (webhook_id, event_id, created_at, next_at)
    SELECT w.webhook_id, NEW.id, NEW.created_at, NEW.created_at FROM webhook_endpoints w
    WHERE w.partner_id = NEW.partner_id AND (cardinality(w.events) = 0 OR NEW.type = ANY (w.events));
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER events_webhook_deliveries AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION coord_enqueue_webhooks();
