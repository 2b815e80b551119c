-- The initial schema. Every invariant of the store lives here, in the
-- database, so that it holds across concurrent requests and server replicas.

-- +goose Up
CREATE TABLE users (
    user_id           uuid PRIMARY KEY,
    partner_id        text NOT NULL,
    external_uid      text NOT NULL,
    email             text NOT NULL DEFAULT '',
    name              text NOT NULL DEFAULT '',
    test              boolean NOT NULL DEFAULT false,
    -- The vehicle: all three plate columns are NULL until one is set.
    plate_text        text,
    plate_country     text,
    plate_subdivision text,
    created_at        timestamptz NOT NULL,
    -- A partner's external_uid names one user.
    UNIQUE (partner_id, external_uid),
    CHECK ((plate_text IS NULL) = (plate_country IS NULL)
       AND (plate_text IS NULL) = (plate_subdivision IS NULL))
);

CREATE TABLE linked_accounts (
    user_id   uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    system_id text NOT NULL,
    linked    boolean NOT NULL,
    PRIMARY KEY (user_id, system_id)
);

CREATE TABLE sessions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          uuid NOT NULL REFERENCES users,
    location_id      text NOT NULL,
    status           text NOT NULL CHECK (status IN ('pending', 'active', 'ended', 'cancelled')),
    resource_id      text NOT NULL DEFAULT '',
    -- Redemption barcode of gate-controlled sessions; NULL for app-controlled ones.
    barcode          text UNIQUE,
    -- Currency of the location's price, for the zero bill of a cancelled session.
    currency         text NOT NULL,
    created_at       timestamptz NOT NULL,
    start_time       timestamptz,
    end_time         timestamptz,
    -- Pending gate sessions are cancelled once expires_at has passed.
    expires_at       timestamptz,
    -- A redeemed gate session ends by itself at exit_at with the planned bill.
    exit_at          timestamptz,
    planned_amount   bigint,
    planned_currency text,
    -- The bill, set exactly when the session is ended or cancelled.
    cost_amount      bigint,
    cost_currency    text,
    CHECK ((start_time IS NOT NULL) = (status IN ('active', 'ended'))),
    CHECK ((end_time IS NOT NULL) = (status = 'ended')),
    CHECK ((cost_amount IS NOT NULL) = (status IN ('ended', 'cancelled'))),
    CHECK ((cost_amount IS NULL) = (cost_currency IS NULL)),
    CHECK ((exit_at IS NULL) = (planned_amount IS NULL)
       AND (exit_at IS NULL) = (planned_currency IS NULL)),
    CHECK (status <> 'pending' OR barcode IS NOT NULL)
);

-- At most one open session per user, across all locations.
CREATE UNIQUE INDEX sessions_one_open ON sessions (user_id) WHERE status IN ('pending', 'active');
-- A user's sessions, newest first.
CREATE INDEX sessions_user_newest ON sessions (user_id, id DESC);
-- What SettleDue looks for.
CREATE INDEX sessions_exit_due ON sessions (exit_at) WHERE status = 'active' AND exit_at IS NOT NULL;
CREATE INDEX sessions_expiry_due ON sessions (expires_at) WHERE status = 'pending' AND expires_at IS NOT NULL;

-- A retry with the same key by the same user returns the same session (the
-- session's location tells a retry from a reuse of the key).
CREATE TABLE idempotency_keys (
    user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    key        text NOT NULL,
    session_id bigint NOT NULL REFERENCES sessions ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Server secrets shared by every replica; the first stored value wins.
CREATE TABLE secrets (
    name       text PRIMARY KEY,
    value      bytea NOT NULL,
    created_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE secrets;
DROP TABLE idempotency_keys;
DROP TABLE sessions;
DROP TABLE linked_accounts;
DROP TABLE users;
