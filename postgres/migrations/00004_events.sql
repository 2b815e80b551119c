-- Live state and the event log. Every change of a session bumps its
-- version (the ETag of get_session) and appends an event in the same
-- transaction.
--
-- Ordering: a writing transaction inserts its events without a seq; a
-- sequencer numbers committed events afterwards, one sequencer at a time
-- (a transaction-level advisory lock), each batch above the last, from
-- per-partner counters. So seqs become visible in the order they are
-- given and a seq never becomes visible after a higher one was read (a
-- bare sequence would allow that: a lower value can commit after a higher
-- one), while writers never wait for each other's commits. Per-partner
-- counters keep one partner's numbering free of others' activity.

-- +goose Up
ALTER TABLE sessions ADD COLUMN version bigint NOT NULL DEFAULT 1;

CREATE TABLE event_counters (
    partner_id     text PRIMARY KEY,
    seq            bigint NOT NULL,          -- the partner's latest seq
    pruned_through bigint NOT NULL DEFAULT 0 -- retention deleted every seq up to this one
);

CREATE TABLE events (
    id         text PRIMARY KEY,
    -- Insertion order, for the sequencer only; seq is the partner's order.
    n          bigint GENERATED ALWAYS AS IDENTITY,
    partner_id text NOT NULL,
    seq        bigint,              -- NULL until the sequencer numbers it
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
CREATE INDEX events_unsequenced ON events (n) WHERE seq IS NULL;

-- +goose Down
DROP TABLE events;
DROP TABLE event_counters;
ALTER TABLE sessions DROP COLUMN version;
