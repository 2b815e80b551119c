package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/coordapi/coord"
	"github.com/google/uuid"
)

// UpsertUser returns the user for (PartnerID, ExternalUID), creating it with
// a new id if needed and refreshing email and name. The test flag is set at
// creation and never changed by a later token.
func (db *DB) UpsertUser(ctx context.Context, p coord.UserProfile) (*coord.User, error) {
	var u *coord.User
	err := db.write(ctx, func(ctx context.Context, tx querier) error {
		var id string
		err := tx.QueryRowContext(ctx, `INSERT INTO users (user_id, partner_id, external_uid, email, name, test, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (partner_id, external_uid) DO UPDATE SET email = excluded.email, name = excluded.name
			RETURNING user_id`,
			uuid.NewString(), p.PartnerID, p.ExternalUID, p.Email, p.Name, p.Test, db.now()).Scan(&id)
		if err != nil {
			return err
		}
		u, err = getUser(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, db.fail(err, "upsert user %s/%s", p.PartnerID, p.ExternalUID)
	}
	return u, nil
}

// User returns a user by id, or ENotFound.
func (db *DB) User(ctx context.Context, userID string) (*coord.User, error) {
	var u *coord.User
	err := db.read(ctx, func(tx querier) (err error) {
		u, err = getUser(ctx, tx, userID)
		return err
	})
	if err != nil {
		return nil, db.fail(err, "user %s", userID)
	}
	return u, nil
}

// getUser reads a user with its vehicle and linked accounts.
func getUser(ctx context.Context, q querier, userID string) (*coord.User, error) {
	var (
		u                       = coord.User{Linked: map[string]bool{}}
		text, country, division sql.NullString
	)
	err := q.QueryRowContext(ctx, `SELECT user_id, partner_id, external_uid, email, name, test,
		plate_text, plate_country, plate_subdivision FROM users WHERE user_id = ?`, userID).
		Scan(&u.UserID, &u.PartnerID, &u.ExternalUID, &u.Email, &u.Name, &u.Test, &text, &country, &division)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, coord.ErrUserNotFound(userID)
	}
	if err != nil {
		return nil, err
	}
	if text.Valid {
		u.Vehicle = &coord.Vehicle{Plate: coord.LicensePlate{Text: text.String, Country: country.String, Subdivision: division.String}}
	}
	rows, err := q.QueryContext(ctx, `SELECT system_id, linked FROM linked_accounts WHERE user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var system string
		var linked bool
		if err := rows.Scan(&system, &linked); err != nil {
			return nil, err
		}
		u.Linked[system] = linked
	}
	return &u, rows.Err()
}

// SetVehicle replaces the user's vehicle.
func (db *DB) SetVehicle(ctx context.Context, userID string, v coord.Vehicle) error {
	err := db.write(ctx, func(ctx context.Context, tx querier) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET plate_text = ?, plate_country = ?, plate_subdivision = ?
			WHERE user_id = ?`, v.Plate.Text, v.Plate.Country, v.Plate.Subdivision, userID)
		if err != nil {
			return err
		}
		if err := mustExist(res, userID); err != nil {
			return err
		}
		return userEvent(ctx, tx, db.now(), coord.EventVehicleUpdated, userID)
	})
	return db.fail(err, "set vehicle of user %s", userID)
}

// SetLinked records whether the user's account with a system is linked.
func (db *DB) SetLinked(ctx context.Context, userID, systemID string, linked bool) error {
	err := db.write(ctx, func(ctx context.Context, tx querier) error {
		// Only a change of the account's state is an event; unknown is unlinked.
		var was bool
		err := tx.QueryRowContext(ctx, `SELECT linked FROM linked_accounts WHERE user_id = ? AND system_id = ?`,
			userID, systemID).Scan(&was)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO linked_accounts (user_id, system_id, linked)
			SELECT user_id, ?, ? FROM users WHERE user_id = ?
			ON CONFLICT (user_id, system_id) DO UPDATE SET linked = excluded.linked`, systemID, linked, userID)
		if err != nil {
			return err
		}
		if err := mustExist(res, userID); err != nil || was == linked {
			return err
		}
		typ := coord.EventAccountUnlinked
		if linked {
			typ = coord.EventAccountLinked
		}
		return userEvent(ctx, tx, db.now(), typ, userID)
	})
	return db.fail(err, "set linked account %s of user %s", systemID, userID)
}

// mustExist is ENotFound when a statement about a user changed no row.
func mustExist(res sql.Result, userID string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return coord.ErrUserNotFound(userID)
	}
	return nil
}
