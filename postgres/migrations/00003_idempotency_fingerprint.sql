-- An idempotency key replays only the request it was first sent with: the
-- request's fingerprint (coord.NewSession.Fingerprint) is kept with it.
-- Keys stored before have '' and are compared with their session.

-- +goose Up
ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS fingerprint TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN IF EXISTS fingerprint;
