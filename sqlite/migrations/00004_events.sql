-- Live state and the event log. Every change of a session bumps its
-- version (the ETag of get_session) and appends an event in the same
-- transaction. Seq numbers each partner's events after its newest, so that
-- the numbers a partner sees tell nothing about other partners; the one
-- writer connection makes commit order and seq order the same.

-- +goose Up
ALTER TABLE sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE IF NOT EXISTS event_counters (
    partner_id     TEXT PRIMARY KEY,
    seq            INTEGER NOT NULL,          -- unused here (PostgreSQL's sequencer counts in it)
    pruned_through INTEGER NOT NULL DEFAULT 0 -- retention deleted every seq up to this one
);

CREATE TABLE IF NOT EXISTS events (
    n          INTEGER PRIMARY KEY, -- the rowid
    id         TEXT NOT NULL UNIQUE,
    partner_id TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    type       TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    test       BOOLEAN NOT NULL,
    session_id INTEGER,          -- session events only
    created_at INTEGER NOT NULL, -- Unix ms
    data       TEXT NOT NULL,    -- coord.SessionEventData or coord.UserEventData
    UNIQUE (partner_id, seq)
);
CREATE INDEX IF NOT EXISTS events_partner_type ON events (partner_id, type, seq);
CREATE INDEX IF NOT EXISTS events_created ON events (created_at);

-- +goose Down
DROP TABLE IF EXISTS events;
DROP TABLE IF EXISTS event_counters;
ALTER TABLE sessions DROP COLUMN version;
