-- List pages read their sessions' ids and versions first (listpage.go) and
-- the full rows only for sessions not cached at that version: the version
-- in the list indexes lets that first query read the index alone, with no
-- lookup of the table row per session. The cost: a change of a session
-- (which bumps its version) rewrites its entries in these two indexes.

-- +goose Up
CREATE INDEX IF NOT EXISTS sessions_user_listed ON sessions (user_id, id DESC, version);
CREATE INDEX IF NOT EXISTS sessions_user_location_listed ON sessions (user_id, location_id, id DESC, version);
DROP INDEX IF EXISTS sessions_user_newest;
DROP INDEX IF EXISTS sessions_user_location_newest;

-- +goose Down
CREATE INDEX IF NOT EXISTS sessions_user_newest ON sessions (user_id, id DESC);
CREATE INDEX IF NOT EXISTS sessions_user_location_newest ON sessions (user_id, location_id, id DESC);
DROP INDEX IF EXISTS sessions_user_listed;
DROP INDEX IF EXISTS sessions_user_location_listed;
