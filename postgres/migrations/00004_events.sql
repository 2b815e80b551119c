-- Live state and the event log. Every change of a session bumps its
-- version (the ETag of get_session) and appends an event in the same
-- transaction.
--
-- Ordering: seq numbers each partner's events from a counter row that the
-- writing transaction updates as its last statement before COMMIT. The row
-- lock is held until the commit is visible, so two transactions appending
-- for one partner take their seqs in commit order: a seq never becomes
-- visible after a higher one was read (a bare sequence would allow that,
-- since a lower value can commit after a higher one). Per-partner counters
-- also keep one partner's numbering free of others' activity.

-- +goose Up
ALTER TABLE sessions ADD COLUMN version bigint NOT NULL DEFAULT 1;

CREATE TABLE event_counters (
    partner_id     text PRIMARY KEY,
    seq            bigint NOT NULL,          -- the partner's latest seq
    pruned_through bigint NOT NULL DEFAULT 0 -- retention deleted every seq up to this one
);

CREATE TABLE events (
    id         text PRIMARY KEY,
    partner_id text NOT NULL,
    seq        bigint NOT NULL,
    type       text NOT NULL,
    user_id    uuid NOT NULL,
    test       boolean NOT NULL,
    session_id bigint,              -- session events only
    created_at timestamptz NOT NULL,
    data       jsonb NOT NULL,      -- coord.SessionEventData or coord.UserEventData
    UNIQUE (partner_id, seq)
);
CREATE INDEX events_partner_type ON events (partner_id, type, seq);
CREATE INDEX events_created ON events (created_at);

-- +goose Down
DROP TABLE events;
DROP TABLE event_counters;
ALTER TABLE sessions DROP COLUMN version;
