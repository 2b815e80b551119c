-- Webhook deliveries. webhook_endpoints mirrors the catalog's endpoints
-- (the server rewrites it at startup); a trigger on events writes one
-- delivery per matching endpoint in the event's own transaction, so a
-- committed event always has its deliveries. The writer connection
-- claims and records them (delivery.Queue); webhook_attempts keeps each
-- attempt's outcome for list_webhook_deliveries.

-- +goose Up
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    webhook_id           TEXT PRIMARY KEY,
    partner_id           TEXT NOT NULL,
    events               TEXT NOT NULL,   -- comma-separated event types; '' is every type
    fingerprint          TEXT NOT NULL,   -- coord.Webhook.Fingerprint
    disabled_fingerprint TEXT NOT NULL DEFAULT '' -- the fingerprint a 410 Gone disabled
);
CREATE INDEX IF NOT EXISTS webhook_endpoints_partner ON webhook_endpoints (partner_id);

CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id          INTEGER PRIMARY KEY,
    webhook_id  TEXT NOT NULL,
    event_id    TEXT NOT NULL,          -- the webhook-id of every attempt
    body        BLOB,                   -- NULL: the event, rendered at each claim
    created_at  INTEGER NOT NULL,       -- the event's commit, Unix ms
    state       TEXT NOT NULL DEFAULT 'pending', -- pending, delivered, failed, disabled
    attempt     INTEGER NOT NULL DEFAULT 1,      -- the next attempt to make
    next_at     INTEGER NOT NULL,       -- Unix ms
    lease_until INTEGER NOT NULL DEFAULT 0,      -- Unix ms; a claim holds until then
    claim       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (webhook_id, next_at, id) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_created ON webhook_deliveries (created_at);

CREATE TABLE IF NOT EXISTS webhook_attempts (
    id           INTEGER PRIMARY KEY,
    webhook_id   TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    state        TEXT NOT NULL,    -- delivery.State after the attempt
    attempted_at INTEGER NOT NULL, -- Unix ms
    status_code  INTEGER NOT NULL, -- 0: no answer
    error        TEXT NOT NULL,
    latency_ms   INTEGER NOT NULL,
    next_at      INTEGER           -- when retrying
);
CREATE INDEX IF NOT EXISTS webhook_attempts_recent ON webhook_attempts (webhook_id, id);
CREATE INDEX IF NOT EXISTS webhook_attempts_at ON webhook_attempts (attempted_at);

-- +goose StatementBegin
CREATE TRIGGER IF NOT EXISTS events_webhook_deliveries AFTER INSERT ON events BEGIN
    INSERT INTO webhook_deliveries (webhook_id, event_id, created_at, next_at)
    SELECT w.webhook_id, NEW.id, NEW.created_at, NEW.created_at FROM webhook_endpoints w
    WHERE w.partner_id = NEW.partner_id
      AND (w.events = '' OR instr(',' || w.events || ',', ',' || NEW.type || ',') > 0);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER IF EXISTS events_webhook_deliveries;
DROP TABLE IF EXISTS webhook_attempts;
DROP TABLE IF EXISTS webhook_deliveries;
DROP TABLE IF EXISTS webhook_endpoints;
