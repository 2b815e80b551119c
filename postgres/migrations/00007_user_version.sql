-- A user's version changes with every change of the user's row or of
-- their linked accounts, as a session's does with every change, so that a
-- replica holding a user in memory can start a session on it with an
-- INSERT conditional on the version it holds (postgres/create.go): one
-- round trip instead of reading the user first, and never a stale user,
-- whichever replica changed it.
--
-- Triggers move the version, not the statements of postgres/user.go, so
-- that every writer moves it: a replica of the build before this one,
-- still running during a rolling upgrade, or an operator's UPDATE. User
-- writes are rare (a token mint, a plate, a link), so a PL/pgSQL call each
-- costs little; the session statements, which are not rare, fire none.
-- Rows of before start at 1, as new ones do; the constant default needs
-- no table rewrite.

-- +goose Up
ALTER TABLE users ADD COLUMN version bigint NOT NULL DEFAULT 1;

-- +goose StatementBegin
CREATE FUNCTION coord_user_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END $$;
-- +goose StatementEnd
-- A write that changes nothing (a token mint with the same email and
-- name) keeps the version, so that minting does not make every replica
-- read the user again.
CREATE TRIGGER users_version BEFORE UPDATE ON users FOR EACH ROW
    WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION coord_user_version();

-- +goose StatementBegin
CREATE FUNCTION coord_linked_account_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET version = version + 1
    WHERE user_id = CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- An account unknown and one recorded unlinked are the same to every
-- reader (coord.User.Linked is false for both), so recording an unlinked
-- one is no change, as SetLinked has no event for it.
CREATE TRIGGER linked_accounts_insert_version AFTER INSERT ON linked_accounts
    FOR EACH ROW WHEN (NEW.linked) EXECUTE FUNCTION coord_linked_account_version();
CREATE TRIGGER linked_accounts_update_version AFTER UPDATE ON linked_accounts
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION coord_linked_account_version();
CREATE TRIGGER linked_accounts_delete_version AFTER DELETE ON linked_accounts
    FOR EACH ROW EXECUTE FUNCTION coord_linked_account_version();

-- +goose Down
DROP TRIGGER linked_accounts_delete_version ON linked_accounts;
DROP TRIGGER linked_accounts_update_version ON linked_accounts;
DROP TRIGGER linked_accounts_insert_version ON linked_accounts;
DROP FUNCTION coord_linked_account_version();
DROP TRIGGER users_version ON users;
DROP FUNCTION coord_user_version();
ALTER TABLE users DROP COLUMN version;
