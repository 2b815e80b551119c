package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/coordapi/coord"
)

var (
	// errRetry means a racing writer changed what the attempt relied on; the
	// transaction was rolled back and the operation starts over.
	errRetry = errors.New("lost a race, retry")
	// errOpenExists means the insert hit the one-open-session index (or,
	// when it was conditional on the user's version, that the version is
	// no longer the one admitted: see userUnchanged).
	errOpenExists = errors.New("user has an open session")
	// errUserChanged means the user is no longer at the version Admit
	// accepted: the operation reads the user again and asks Admit again.
	errUserChanged = errors.New("user changed since it was admitted")
)

// createAttempts bounds CreateSession's retries. Each retry follows a change
// committed by another writer, so more than a couple means a pathological race.
const createAttempts = 5

// CreateSession inserts a session. The partial unique index sessions_one_open
// decides conflicts, and the idempotency_keys primary key decides which of
// two same-key requests created the session: created is true only for the
// call whose insert committed, false for one that found the key's session.
//
// With ns.Admit, the user Admit accepted is usually the one this replica
// holds (userCache), and the INSERT is conditional on the user still being
// at that version, in the same statement: one round trip in all. When the
// user changed since (on any replica), it is read again and asked again.
func (db *DB) CreateSession(ctx context.Context, ns coord.NewSession) (*coord.Session, bool, error) {
	uid, ok := parseUserID(ns.UserID)
	if !ok {
		return nil, false, coord.ErrUserNotFound(ns.UserID)
	}
	now := db.now()
	var admitted *userRow // nil without ns.Admit
	reread := false
	for range createAttempts {
		if ns.Admit != nil && admitted == nil {
			var err error
			if admitted, err = db.admitted(ctx, uid, ns.Admit, reread); err != nil {
				return nil, false, fail("postgres: create session", err)
			}
		}
		s, created, err := db.createOnce(ctx, uid, ns, now, admitted)
		switch {
		case errors.Is(err, errUserChanged):
			admitted, reread = nil, true
		case errors.Is(err, errRetry):
		case err != nil:
			return nil, false, fail("postgres: create session", err)
		default:
			return s, created, nil
		}
	}
	return nil, false, fmt.Errorf("postgres: create session: still racing after %d attempts", createAttempts)
}

// admitted returns the user admit accepts: the one held, if admit accepts
// it (the statements that follow check it is still current), else, or
// with reread, the user read now. Only a refusal of the user read now is
// the answer, so a held user that is out of date refuses nothing.
func (db *DB) admitted(ctx context.Context, uid pgtype.UUID, admit func(*coord.User) error, reread bool) (*userRow, error) {
	if u := db.users.get(uid); u != nil && !reread && admit(u.User) == nil {
		return u, nil
	}
	u, err := db.readUser(ctx, uid)
	if err != nil {
		return nil, err
	}
	if err := admit(u.User); err != nil {
		return nil, err
	}
	return u, nil
}

// createOnce is one attempt of CreateSession, for the user admitted at
// its version (nil: no condition on the user).
func (db *DB) createOnce(ctx context.Context, uid pgtype.UUID, ns coord.NewSession, now time.Time, admitted *userRow) (*coord.Session, bool, error) {
	if s, err := db.sessionByKey(ctx, uid, ns, now, admitted); s != nil || err != nil {
		return s, false, err
	}
	s, err := db.insertSession(ctx, uid, ns, now, admitted)
	if !errors.Is(err, errOpenExists) {
		return s, err == nil, err
	}
	// A conditional insert also inserts nothing for a user who changed; the
	// user's requirements come before the open session.
	if err := db.userUnchanged(ctx, uid, admitted); err != nil {
		return nil, false, err
	}
	// The open session may be a concurrent request with our idempotency key,
	// which has committed by now: the insert waited for it.
	if s, err := db.sessionByKey(ctx, uid, ns, now, admitted); s != nil || err != nil {
		return s, false, err
	}
	return nil, false, db.openConflict(ctx, uid, now)
}

// userUnchanged returns errUserChanged unless the user is still at the
// admitted version (or none was admitted).
func (db *DB) userUnchanged(ctx context.Context, uid pgtype.UUID, admitted *userRow) error {
	if admitted == nil {
		return nil
	}
	var version int64
	err := db.pool.QueryRow(ctx, `SELECT version FROM users WHERE user_id = $1`, uid).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && version != admitted.version) {
		db.users.forget(uid)
		return errUserChanged
	}
	return err
}

// sessionByKey returns the session created earlier with ns's idempotency
// key, or nil when there is none. A replay is an answer about the user
// too, so the query reads the user's version, and a user who changed since
// admitted is errUserChanged.
func (db *DB) sessionByKey(ctx context.Context, uid pgtype.UUID, ns coord.NewSession, now time.Time, admitted *userRow) (*coord.Session, error) {
	if ns.IdempotencyKey == "" {
		return nil, nil
	}
	var fingerprint string
	var version int64
	r, err := scanSession(leading{db.pool.QueryRow(ctx, `SELECT
		(SELECT fingerprint FROM idempotency_keys WHERE user_id = $1 AND key = $2),
		(SELECT version FROM users WHERE user_id = $1), `+sessionCols+` FROM sessions
		WHERE id = (SELECT session_id FROM idempotency_keys WHERE user_id = $1 AND key = $2)`,
		uid, ns.IdempotencyKey), []any{&fingerprint, &version}})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, err
	case admitted != nil && version != admitted.version:
		db.users.forget(uid)
		return nil, errUserChanged
	case !ns.Replays(r.Session, fingerprint):
		return nil, coord.ErrIdempotencyKeyReused(r.ID)
	}
	return db.settled(ctx, r, now)
}

// insertSession inserts the session and, in the same transaction, records
// its idempotency key. It returns errOpenExists when the user has an open
// session (or is no longer at the admitted version) and errRetry when a
// concurrent request took the key first.
func (db *DB) insertSession(ctx context.Context, uid pgtype.UUID, ns coord.NewSession, now time.Time, admitted *userRow) (*coord.Session, error) {
	status, start := coord.StatusActive, &now
	var barcode *string
	var expiresAt *time.Time
	if ns.Gate {
		code := newBarcode()
		status, start, barcode = coord.StatusPending, nil, &code
		t := now.Add(db.cfg.PendingTTL)
		expiresAt = &t
	}
	values := []any{uid, ns.LocationID, status, ns.ResourceID, barcode, ns.Currency, now, start, expiresAt}
	if admitted != nil {
		values = append(values, admitted.version)
	}
	var r *sessionRow
	var err error
	if ns.IdempotencyKey == "" {
		// The insert and its event are the whole write: one autocommit
		// round trip rather than BEGIN, INSERT, INSERT, COMMIT.
		created := coord.Session{LocationID: ns.LocationID, UserID: uid.String(), Status: status, StartTime: start,
			ResourceID: ns.ResourceID, Version: 1}
		if barcode != nil {
			created.Barcode = *barcode
		}
		var note string
		r, err = insertRow(ctx, db.pool, values, &note, eventArgs(coord.EventSessionCreated, now, &created)...)
		if err == nil {
			db.notes.send(note)
		}
	} else {
		err = db.inTx(ctx, func(tx pgx.Tx) error {
			var err error
			if r, err = insertRow(ctx, tx, values, nil); err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (user_id, key, session_id, created_at, fingerprint)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
				uid, ns.IdempotencyKey, r.ID, now, ns.Fingerprint())
			if err == nil && tag.RowsAffected() == 0 {
				return errRetry // roll back; the next attempt finds the key's session
			}
			if err != nil {
				return err
			}
			return db.appendEvents(ctx, tx, now, sessionEvent(coord.EventSessionCreated, r))
		})
	}
	if isForeignKey(err) {
		return nil, coord.ErrUserNotFound(uid.String())
	}
	if err != nil {
		return nil, err
	}
	return r.Session, nil
}

// leading scans the first columns of a row into first, then the rest.
type leading struct {
	row   pgx.Row
	first []any
}

func (l leading) Scan(dest ...any) error {
	return l.row.Scan(append(l.first, dest...)...)
}

// rowQuerier is what both the pool and a transaction offer.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// insertRow inserts a session row from values (user_id, location_id, status,
// resource_id, barcode, currency, created_at, start_time, expires_at, and
// optionally the user's version), or returns errOpenExists when the user
// already has an open session or, given a version, is no longer at it.
// With event (withEvent's parameters), the same statement appends its
// event and sets note to its notification.
func insertRow(ctx context.Context, q rowQuerier, values []any, note *string, event ...any) (*sessionRow, error) {
	insert := insertPlain
	switch {
	case len(values) > 9 && len(event) > 0:
		insert = insertIfUserAtWithEvent
	case len(values) > 9:
		insert = insertIfUserAt
	case len(event) > 0:
		insert = insertPlainWithEvent
	}
	var extra []any
	if note != nil {
		extra = append(extra, note)
	}
	r, err := scanSession(q.QueryRow(ctx, insert, append(values, event...)...), extra...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errOpenExists
	}
	return r, err
}

const insertPlain = `INSERT INTO sessions
			(user_id, location_id, status, resource_id, barcode, currency, created_at, start_time, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (user_id) WHERE status IN ('pending', 'active') DO NOTHING
		RETURNING ` + sessionCols

// insertIfUserAt is insertPlain when the user is at version $10. The
// statement's snapshot sees the user as of one instant, so the session
// starts on the very user Admit accepted, as if read in the same
// transaction; a change of the user committed after that instant orders
// after the start.
const insertIfUserAt = `INSERT INTO sessions
			(user_id, location_id, status, resource_id, barcode, currency, created_at, start_time, expires_at)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
		WHERE EXISTS (SELECT 1 FROM users WHERE user_id = $1 AND version = $10)
		ON CONFLICT (user_id) WHERE status IN ('pending', 'active') DO NOTHING
		RETURNING ` + sessionCols

// insertPlain and insertIfUserAt with their events, made once: the
// statements are long, and pgx looks each up by its text.
var (
	insertPlainWithEvent    = withEvent(insertPlain, 9)
	insertIfUserAtWithEvent = withEvent(insertIfUserAt, 10)
)

// openConflict reports the user's open session as EActiveSessionExists,
// first settling it if its time has come (then the caller retries).
func (db *DB) openConflict(ctx context.Context, uid pgtype.UUID, now time.Time) error {
	r, err := scanSession(db.pool.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE user_id = $1 AND status IN ('pending', 'active')`, uid))
	if errors.Is(err, pgx.ErrNoRows) {
		return errRetry // it closed in the meantime
	}
	if err != nil {
		return err
	}
	if r.due(now) {
		if _, err := db.settled(ctx, r, now); err != nil {
			return err
		}
		return errRetry
	}
	return coord.ErrOpenSessionExists(r.ID)
}

// newBarcode returns unguessable redemption data: 130 random bits in base32.
func newBarcode() string {
	return "CRD-" + rand.Text()
}
