-- Migration 3: an idempotency key replays only the request it was first sent
-- with, so the request's fingerprint (coord.NewSession.Fingerprint) is kept
-- with it. Keys stored before have '' and are compared with their session.
--
-- It runs from Go (migrate.go), which skips it on a schema that has the
-- column already: SQLite cannot add a column IF NOT EXISTS.

ALTER TABLE idempotency_keys ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
