package postgres

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/coordapi/coord"
)

// userCols is what every user query selects or returns, in the order
// scanUser reads; the linked accounts come along as one JSON object, so a
// user is one round trip.
const userCols = `user_id::text, partner_id, external_uid, email, name, test,
	plate_text, plate_country, plate_subdivision,
	(SELECT coalesce(jsonb_object_agg(l.system_id, l.linked), '{}')
	 FROM linked_accounts l WHERE l.user_id = users.user_id), version`

// UpsertUser returns the user for (PartnerID, ExternalUID), refreshing email
// and name. The unique (partner_id, external_uid) constraint makes concurrent
// first logins of one user agree on one id. (A refresh that changes
// nothing keeps the user's version: see migration 7's triggers, which move
// it on every change of the user.)
func (db *DB) UpsertUser(ctx context.Context, p coord.UserProfile) (*coord.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `INSERT INTO users
			(user_id, partner_id, external_uid, email, name, test, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (partner_id, external_uid) DO UPDATE SET email = excluded.email, name = excluded.name
		RETURNING `+userCols,
		pgtype.UUID{Bytes: uuid.New(), Valid: true}, p.PartnerID, p.ExternalUID, p.Email, p.Name, p.Test, db.now()))
	if err != nil {
		return nil, fail("postgres: upsert user", err)
	}
	db.users.put(u.key(), u)
	return u.User, nil
}

// User returns a user by id, or ENotFound.
func (db *DB) User(ctx context.Context, userID string) (*coord.User, error) {
	uid, ok := parseUserID(userID)
	if !ok {
		return nil, coord.ErrUserNotFound(userID)
	}
	u, err := db.readUser(ctx, uid)
	if err != nil {
		return nil, fail("postgres: get user", err)
	}
	return u.User, nil
}

// readUser reads a user (ENotFound when there is none) and holds it in
// db.users for the session starts that follow.
func (db *DB) readUser(ctx context.Context, uid pgtype.UUID) (*userRow, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE user_id = $1`, uid))
	if errors.Is(err, pgx.ErrNoRows) {
		db.users.forget(uid)
		return nil, coord.ErrUserNotFound(uid.String())
	}
	if err != nil {
		return nil, err
	}
	db.users.put(uid, u)
	return u, nil
}

// SetVehicle replaces the user's vehicle.
func (db *DB) SetVehicle(ctx context.Context, userID string, v coord.Vehicle) error {
	uid, ok := parseUserID(userID)
	if !ok {
		return coord.ErrUserNotFound(userID)
	}
	var u *userRow
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `UPDATE users
			SET plate_text = $2, plate_country = $3, plate_subdivision = $4
			WHERE user_id = $1 RETURNING `+userCols,
			uid, v.Plate.Text, v.Plate.Country, v.Plate.Subdivision))
		if errors.Is(err, pgx.ErrNoRows) {
			return coord.ErrUserNotFound(userID)
		}
		if err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, db.now(), userEvent(coord.EventVehicleUpdated, u.User))
	})
	db.changedUser(uid, u, err)
	return fail("postgres: set vehicle", err)
}

// SetLinked records whether the user's account with a system is linked.
func (db *DB) SetLinked(ctx context.Context, userID, systemID string, linked bool) error {
	uid, ok := parseUserID(userID)
	if !ok {
		return coord.ErrUserNotFound(userID)
	}
	var u *userRow
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// Only a change of the account's state is an event; unknown is
		// unlinked. The row lock of the upsert orders concurrent calls.
		// (Its trigger moves the user's version.)
		var was bool
		err := tx.QueryRow(ctx, `WITH prior AS (
				SELECT linked FROM linked_accounts WHERE user_id = $1 AND system_id = $2 FOR UPDATE)
			SELECT coalesce((SELECT linked FROM prior), false)`, uid, systemID).Scan(&was)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO linked_accounts (user_id, system_id, linked) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, system_id) DO UPDATE SET linked = excluded.linked`, uid, systemID, linked); err != nil || was == linked {
			return err
		}
		u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE user_id = $1`, uid))
		if err != nil {
			return err
		}
		typ := coord.EventAccountUnlinked
		if linked {
			typ = coord.EventAccountLinked
		}
		return db.appendEvents(ctx, tx, db.now(), userEvent(typ, u.User))
	})
	db.changedUser(uid, u, err)
	if isForeignKey(err) {
		return coord.ErrUserNotFound(userID)
	}
	return fail("postgres: set linked account", err)
}

// changedUser holds the user as a committed write of it left it (u nil:
// the write changed nothing), or, when the write failed, forgets what is
// held, so that the next start reads the user afresh rather than trying a
// version that may be gone.
func (db *DB) changedUser(uid pgtype.UUID, u *userRow, err error) {
	switch {
	case err != nil:
		db.users.forget(uid)
	case u != nil:
		db.users.put(uid, u)
	}
}

// scanUser reads one row of userCols.
func scanUser(row pgx.Row) (*userRow, error) {
	var (
		u                   = coord.User{Linked: map[string]bool{}}
		text, country, subd *string
		version             int64
	)
	err := row.Scan(&u.UserID, &u.PartnerID, &u.ExternalUID, &u.Email, &u.Name, &u.Test,
		&text, &country, &subd, &u.Linked, &version)
	if err != nil {
		return nil, err
	}
	if text != nil && country != nil && subd != nil {
		u.Vehicle = &coord.Vehicle{Plate: coord.LicensePlate{Text: *text, Country: *country, Subdivision: *subd}}
	}
	return &userRow{User: &u, version: version}, nil
}

// key is the user's id as the cache keys it.
func (u *userRow) key() pgtype.UUID {
	uid, _ := parseUserID(u.UserID)
	return uid
}

// parseUserID parses a user id. Anything but a UUID in the canonical form
// this store hands out names no user, so callers answer ENotFound rather
// than sending it to the database. It returns pgx's own UUID type, which
// pgx sends as 16 binary bytes; a uuid.UUID would go through its
// driver.Valuer as text, about a tenth of a session read's CPU.
func parseUserID(s string) (pgtype.UUID, bool) {
	id, err := uuid.Parse(s)
	return pgtype.UUID{Bytes: id, Valid: true}, err == nil && id.String() == s
}
