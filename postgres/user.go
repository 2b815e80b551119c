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
	 FROM linked_accounts l WHERE l.user_id = users.user_id)`

// UpsertUser returns the user for (PartnerID, ExternalUID), refreshing email
// and name. The unique (partner_id, external_uid) constraint makes concurrent
// first logins of one user agree on one id.
func (db *DB) UpsertUser(ctx context.Context, p coord.UserProfile) (*coord.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `INSERT INTO users
			(user_id, partner_id, external_uid, email, name, test, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (partner_id, external_uid) DO UPDATE SET email = excluded.email, name = excluded.name
		RETURNING `+userCols,
		pgtype.UUID{Bytes: uuid.New(), Valid: true}, p.PartnerID, p.ExternalUID, p.Email, p.Name, p.Test, db.now()))
	return u, fail("postgres: upsert user", err)
}

// User returns a user by id, or ENotFound.
func (db *DB) User(ctx context.Context, userID string) (*coord.User, error) {
	uid, ok := parseUserID(userID)
	if !ok {
		return nil, coord.ErrUserNotFound(userID)
	}
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE user_id = $1`, uid))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, coord.ErrUserNotFound(userID)
	}
	return u, fail("postgres: get user", err)
}

// SetVehicle replaces the user's vehicle.
func (db *DB) SetVehicle(ctx context.Context, userID string, v coord.Vehicle) error {
	uid, ok := parseUserID(userID)
	if !ok {
		return coord.ErrUserNotFound(userID)
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		u, err := scanUser(tx.QueryRow(ctx, `UPDATE users
			SET plate_text = $2, plate_country = $3, plate_subdivision = $4 WHERE user_id = $1 RETURNING `+userCols,
			uid, v.Plate.Text, v.Plate.Country, v.Plate.Subdivision))
		if errors.Is(err, pgx.ErrNoRows) {
			return coord.ErrUserNotFound(userID)
		}
		if err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, db.now(), userEvent(coord.EventVehicleUpdated, u))
	})
	return fail("postgres: set vehicle", err)
}

// SetLinked records whether the user's account with a system is linked.
func (db *DB) SetLinked(ctx context.Context, userID, systemID string, linked bool) error {
	uid, ok := parseUserID(userID)
	if !ok {
		return coord.ErrUserNotFound(userID)
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// Only a change of the account's state is an event; unknown is
		// unlinked. The row lock of the upsert orders concurrent calls.
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
		u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE user_id = $1`, uid))
		if err != nil {
			return err
		}
		typ := coord.EventAccountUnlinked
		if linked {
			typ = coord.EventAccountLinked
		}
		return db.appendEvents(ctx, tx, db.now(), userEvent(typ, u))
	})
	if isForeignKey(err) {
		return coord.ErrUserNotFound(userID)
	}
	return fail("postgres: set linked account", err)
}

// scanUser reads one row of userCols.
func scanUser(row pgx.Row) (*coord.User, error) {
	var (
		u                   = coord.User{Linked: map[string]bool{}}
		text, country, subd *string
	)
	err := row.Scan(&u.UserID, &u.PartnerID, &u.ExternalUID, &u.Email, &u.Name, &u.Test,
		&text, &country, &subd, &u.Linked)
	if err != nil {
		return nil, err
	}
	if text != nil && country != nil && subd != nil {
		u.Vehicle = &coord.Vehicle{Plate: coord.LicensePlate{Text: *text, Country: *country, Subdivision: *subd}}
	}
	return &u, nil
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
