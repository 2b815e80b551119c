-- Migration 2: the schema of the PostgreSQL store (its migrations 1 and 2),
-- column for column, with the same CHECK constraints on state coherence and
-- the same index names. Times differ only in type: integer Unix milliseconds
-- here, timestamptz in PostgreSQL (migration 1 says BIGINT there; it never was).
--
-- SQLite can add neither a CHECK nor a column rename of this kind in place,
-- so every table is rebuilt under a temporary name, filled from the old one,
-- and renamed; renaming a table rewrites the REFERENCES of the other tables
-- to the new name, so the foreign keys end up pointing at the rebuilt tables.
--
-- Money is an (amount, currency) pair everywhere: cost becomes cost_amount
-- with cost_currency, planned_cost becomes planned_amount with
-- planned_currency. Users, idempotency keys and secrets gain created_at;
-- rows that predate it get the user's first session (users), the session's
-- creation (keys) or the time of the upgrade.
--
-- It runs from Go (migrate.go), which skips it on a schema that already has
-- it: a second process that raced the first to it must not run it twice.

CREATE TABLE users_v2 (
    user_id           TEXT PRIMARY KEY, -- uuid
    partner_id        TEXT NOT NULL,
    external_uid      TEXT NOT NULL,
    email             TEXT NOT NULL DEFAULT '',
    name              TEXT NOT NULL DEFAULT '',
    test              BOOLEAN NOT NULL DEFAULT FALSE,
    -- The vehicle: all three plate columns are NULL until one is set.
    plate_text        TEXT,
    plate_country     TEXT,
    plate_subdivision TEXT,
    created_at        INTEGER NOT NULL,
    -- A partner's external_uid names one user.
    UNIQUE (partner_id, external_uid),
    CHECK ((plate_text IS NULL) = (plate_country IS NULL)
       AND (plate_text IS NULL) = (plate_subdivision IS NULL))
);
INSERT INTO users_v2 (user_id, partner_id, external_uid, email, name, test,
        plate_text, plate_country, plate_subdivision, created_at)
    SELECT user_id, partner_id, external_uid, email, name, test,
        plate_text, plate_country, plate_subdivision,
        COALESCE((SELECT MIN(s.created_at) FROM sessions s WHERE s.user_id = u.user_id),
                 CAST(unixepoch('subsec') * 1000 AS INTEGER))
    FROM users u;

CREATE TABLE linked_accounts_v2 (
    user_id   TEXT NOT NULL REFERENCES users_v2 (user_id) ON DELETE CASCADE,
    system_id TEXT NOT NULL,
    linked    BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, system_id)
);
INSERT INTO linked_accounts_v2 (user_id, system_id, linked)
    SELECT user_id, system_id, linked FROM linked_accounts;

CREATE TABLE sessions_v2 (
    -- AUTOINCREMENT: ids are never reused, so before_id paging and
    -- idempotency keys never point at a different session.
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          TEXT NOT NULL REFERENCES users_v2 (user_id),
    location_id      TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'active', 'ended', 'cancelled')),
    resource_id      TEXT NOT NULL DEFAULT '',
    -- Redemption barcode of gate-controlled sessions; NULL for app-controlled ones.
    barcode          TEXT UNIQUE,
    -- Currency of the location's price, for the zero bill of a cancelled session.
    currency         TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    start_time       INTEGER,
    end_time         INTEGER,
    -- Pending gate sessions are cancelled once expires_at has passed.
    expires_at       INTEGER,
    -- A redeemed gate session ends by itself at exit_at with the planned bill.
    exit_at          INTEGER,
    planned_amount   INTEGER,
    planned_currency TEXT,
    -- The bill, set exactly when the session is ended or cancelled.
    cost_amount      INTEGER,
    cost_currency    TEXT,
    CHECK ((start_time IS NOT NULL) = (status IN ('active', 'ended'))),
    CHECK ((end_time IS NOT NULL) = (status = 'ended')),
    CHECK ((cost_amount IS NOT NULL) = (status IN ('ended', 'cancelled'))),
    CHECK ((cost_amount IS NULL) = (cost_currency IS NULL)),
    CHECK ((exit_at IS NULL) = (planned_amount IS NULL)
       AND (exit_at IS NULL) = (planned_currency IS NULL)),
    CHECK (status <> 'pending' OR barcode IS NOT NULL)
);
INSERT INTO sessions_v2 (id, user_id, location_id, status, resource_id, barcode, currency, created_at,
        start_time, end_time, expires_at, exit_at, planned_amount, planned_currency, cost_amount, cost_currency)
    SELECT id, user_id, location_id, status, resource_id, barcode, currency, created_at,
        start_time, end_time, expires_at, exit_at,
        planned_cost, CASE WHEN planned_cost IS NOT NULL THEN currency END,
        cost, CASE WHEN cost IS NOT NULL THEN currency END
    FROM sessions;

CREATE TABLE idempotency_keys_v2 (
    user_id    TEXT NOT NULL REFERENCES users_v2 (user_id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    session_id INTEGER NOT NULL REFERENCES sessions_v2 (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);
INSERT INTO idempotency_keys_v2 (user_id, key, session_id, created_at)
    SELECT k.user_id, k.key, k.session_id, s.created_at
    FROM idempotency_keys k JOIN sessions s ON s.id = k.session_id;

CREATE TABLE secrets_v2 (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO secrets_v2 (name, value, created_at)
    SELECT name, value, CAST(unixepoch('subsec') * 1000 AS INTEGER) FROM secrets;

-- AUTOINCREMENT's high-water mark moves to the rebuilt table (renaming
-- carries it along), so that no id handed out before is handed out again.
DELETE FROM sqlite_sequence WHERE name = 'sessions_v2';
INSERT INTO sqlite_sequence (name, seq) SELECT 'sessions_v2', seq FROM sqlite_sequence WHERE name = 'sessions';

-- Children first, so that no drop deletes a row something still refers to.
DROP TABLE idempotency_keys;
DROP TABLE sessions;
DROP TABLE linked_accounts;
DROP TABLE users;
DROP TABLE secrets;
ALTER TABLE users_v2 RENAME TO users;
ALTER TABLE linked_accounts_v2 RENAME TO linked_accounts;
ALTER TABLE sessions_v2 RENAME TO sessions;
ALTER TABLE idempotency_keys_v2 RENAME TO idempotency_keys;
ALTER TABLE secrets_v2 RENAME TO secrets;

-- The indexes of the PostgreSQL store, by the same names.
-- At most one open session per user, across all locations.
CREATE UNIQUE INDEX sessions_one_open ON sessions (user_id) WHERE status IN ('pending', 'active');
-- A user's sessions, newest first; and at one location, newest first.
CREATE INDEX sessions_user_newest ON sessions (user_id, id DESC);
CREATE INDEX sessions_user_location_newest ON sessions (user_id, location_id, id DESC);
-- What settlement looks for.
CREATE INDEX sessions_exit_due ON sessions (exit_at) WHERE status = 'active' AND exit_at IS NOT NULL;
CREATE INDEX sessions_expiry_due ON sessions (expires_at) WHERE status = 'pending' AND expires_at IS NOT NULL;

