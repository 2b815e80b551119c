-- A user's version changes with every write of the user or of their linked
-- accounts (postgres/user.go), as a session's does with every change, so
-- that a replica holding a user in memory can start a session on it with
-- an INSERT conditional on the version it holds (postgres/create.go):
-- one round trip instead of reading the user first, and never a stale
-- user, whichever replica changed it. Rows of before start at 1, as new
-- ones do; the constant default needs no table rewrite.

-- +goose Up
ALTER TABLE users ADD COLUMN version bigint NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE users DROP COLUMN version;
