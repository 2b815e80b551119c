-- The schema keeps every invariant in the database so that it holds across
-- concurrent requests. Times are integer milliseconds since the Unix epoch,
-- UTC: the precision the API shows, and the same in PostgreSQL (BIGINT).
-- IF NOT EXISTS lets a second process that raced this migration on the same
-- file apply it as a no-op instead of failing.

-- +goose Up
CREATE TABLE IF NOT EXISTS users (
    user_id           TEXT PRIMARY KEY, -- uuid
    partner_id        TEXT NOT NULL,
    external_uid      TEXT NOT NULL,
    email             TEXT NOT NULL DEFAULT '',
    name              TEXT NOT NULL DEFAULT '',
    test              BOOLEAN NOT NULL DEFAULT FALSE,
    -- The vehicle; plate_text NULL: none set.
    plate_text        TEXT,
    plate_country     TEXT,
    plate_subdivision TEXT,
    UNIQUE (partner_id, external_uid)
);

CREATE TABLE IF NOT EXISTS linked_accounts (
    user_id   TEXT NOT NULL REFERENCES users (user_id),
    system_id TEXT NOT NULL,
    linked    BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, system_id)
);

CREATE TABLE IF NOT EXISTS sessions (
    -- AUTOINCREMENT: ids are never reused, so before_id paging and
    -- idempotency keys never point at a different session.
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      TEXT NOT NULL REFERENCES users (user_id),
    location_id  TEXT NOT NULL,
    resource_id  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('pending', 'active', 'ended', 'cancelled')),
    barcode      TEXT UNIQUE,      -- gate sessions only
    currency     TEXT NOT NULL,    -- of cost, and of the 0 a cancellation bills
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,          -- pending gate sessions are cancelled from then on
    start_time   INTEGER,
    exit_at      INTEGER,          -- redeemed gate sessions end then ...
    planned_cost INTEGER,          -- ... billed this much
    end_time     INTEGER,
    cost         INTEGER           -- set once ended or cancelled
);

-- One open session per user, enforced by the database.
CREATE UNIQUE INDEX IF NOT EXISTS sessions_one_open ON sessions (user_id)
    WHERE status IN ('pending', 'active');
-- Lists: newest first, per user and per user and location.
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id, id);
CREATE INDEX IF NOT EXISTS sessions_user_location ON sessions (user_id, location_id, id);
-- Settlement finds due rows without scanning history.
CREATE INDEX IF NOT EXISTS sessions_expiring ON sessions (expires_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS sessions_exiting ON sessions (exit_at) WHERE status = 'active';

-- A retried create with the same key returns the same session.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    user_id    TEXT NOT NULL REFERENCES users (user_id),
    key        TEXT NOT NULL,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    PRIMARY KEY (user_id, key)
);

CREATE TABLE IF NOT EXISTS secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- +goose Down
DROP TABLE IF EXISTS secrets;
DROP TABLE IF EXISTS idempotency_keys;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS linked_accounts;
DROP TABLE IF EXISTS users;
