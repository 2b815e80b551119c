-- Migration 2: one schema for both stores. The SQLite store's migration 2
-- rebuilds its tables into this schema: the same tables, columns, CHECK
-- constraints and index names. Times differ only in type: timestamptz here,
-- integer Unix milliseconds in SQLite (migration 1 of the SQLite store says
-- PostgreSQL stores BIGINT times; it never did).
--
-- The one thing this store lacked is the index for a user's sessions at one
-- location, newest first, which lists filtered by location walk instead of
-- filtering the user's whole history.

-- +goose Up
CREATE INDEX IF NOT EXISTS sessions_user_location_newest ON sessions (user_id, location_id, id DESC);

-- +goose Down
DROP INDEX IF EXISTS sessions_user_location_newest;
