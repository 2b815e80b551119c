-- Webhook deliveries. webhook_endpoints mirrors the catalog's endpoints
-- (each replica rewrites it at startup); a trigger on events writes one
-- delivery per matching endpoint in the event's own transaction, so a
-- committed event always has its deliveries. Replicas claim due rows with
-- FOR UPDATE SKIP LOCKED and a lease (lease_until): a replica that dies
-- holding a claim loses it when the lease runs out. webhook_attempts keeps
-- each attempt's outcome for list_webhook_deliveries.

-- +goose Up
CREATE TABLE webhook_endpoints (
    webhook_id           text PRIMARY KEY,
    partner_id           text NOT NULL,
    events               text[] NOT NULL,  -- empty: every type
    fingerprint          text NOT NULL,    -- coord.Webhook.Fingerprint
    disabled_fingerprint text NOT NULL DEFAULT '' -- the fingerprint a 410 Gone disabled
);
CREATE INDEX webhook_endpoints_partner ON webhook_endpoints (partner_id);

CREATE TABLE webhook_deliveries (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id  text NOT NULL,
    event_id    text NOT NULL,           -- the webhook-id of every attempt
    body        bytea,                   -- NULL: the event, rendered at each claim
    created_at  timestamptz NOT NULL,    -- the event's commit
    state       text NOT NULL DEFAULT 'pending', -- pending, delivered, failed, disabled
    attempt     integer NOT NULL DEFAULT 1,      -- the next attempt to make
    next_at     timestamptz NOT NULL,
    lease_until timestamptz NOT NULL DEFAULT '-infinity',
    claim       text NOT NULL DEFAULT ''
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (webhook_id, next_at, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);

CREATE TABLE webhook_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id   text NOT NULL,
    event_id     text NOT NULL,
    attempt      integer NOT NULL,
    state        text NOT NULL,        -- delivery.State after the attempt
    attempted_at timestamptz NOT NULL,
    status_code  integer NOT NULL,     -- 0: no answer
    error        text NOT NULL,
    latency_ms   bigint NOT NULL,
    next_at      timestamptz           -- when retrying
);
CREATE INDEX webhook_attempts_recent ON webhook_attempts (webhook_id, id);
CREATE INDEX webhook_attempts_at ON webhook_attempts (attempted_at);

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

-- +goose Down
DROP TRIGGER events_webhook_deliveries ON events;
DROP FUNCTION coord_enqueue_webhooks();
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
