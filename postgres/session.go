package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/coordapi/coord"
)

var (
	// errRetry means a racing writer changed what the attempt relied on; the
	// transaction was rolled back and the operation starts over.
	errRetry = errors.New("lost a race, retry")
	// errOpenExists means the insert hit the one-open-session index.
	errOpenExists = errors.New("user has an open session")
)

// createAttempts bounds CreateSession's retries. Each retry follows a change
// committed by another writer, so more than a couple means a pathological race.
const createAttempts = 5

// CreateSession inserts a session. The partial unique index sessions_one_open
// decides conflicts, and the idempotency_keys primary key decides which of
// two same-key requests created the session.
func (db *DB) CreateSession(ctx context.Context, ns coord.NewSession) (*coord.Session, error) {
	uid, ok := parseUserID(ns.UserID)
	if !ok {
		return nil, noUser(ns.UserID)
	}
	now := db.now()
	for range createAttempts {
		s, err := db.createOnce(ctx, uid, ns, now)
		if !errors.Is(err, errRetry) {
			return s, dbError("postgres: create session", err)
		}
	}
	return nil, fmt.Errorf("postgres: create session: still racing after %d attempts", createAttempts)
}

func (db *DB) createOnce(ctx context.Context, uid uuid.UUID, ns coord.NewSession, now time.Time) (*coord.Session, error) {
	if s, err := db.sessionByKey(ctx, uid, ns, now); s != nil || err != nil {
		return s, err
	}
	s, err := db.insertSession(ctx, uid, ns, now)
	if !errors.Is(err, errOpenExists) {
		return s, err
	}
	// The open session may be a concurrent request with our idempotency key,
	// which has committed by now: the insert waited for it.
	if s, err := db.sessionByKey(ctx, uid, ns, now); s != nil || err != nil {
		return s, err
	}
	return nil, db.openConflict(ctx, uid, now)
}

// sessionByKey returns the session created earlier with ns's idempotency
// key, or nil when there is none.
func (db *DB) sessionByKey(ctx context.Context, uid uuid.UUID, ns coord.NewSession, now time.Time) (*coord.Session, error) {
	if ns.IdempotencyKey == "" {
		return nil, nil
	}
	r, err := scanSession(db.pool.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE id = (SELECT session_id FROM idempotency_keys WHERE user_id = $1 AND key = $2)`,
		uid, ns.IdempotencyKey))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, err
	case r.LocationID != ns.LocationID:
		return nil, coord.Errorf(coord.EIdempotencyKeyReused,
			"idempotency key was used for a session at another location").WithDetails(strconv.FormatInt(r.ID, 10))
	}
	return db.settled(ctx, r, now)
}

// insertSession inserts the session and records its idempotency key in one
// transaction. It returns errOpenExists when the user has an open session
// and errRetry when a concurrent request took the key first.
func (db *DB) insertSession(ctx context.Context, uid uuid.UUID, ns coord.NewSession, now time.Time) (*coord.Session, error) {
	status, start := coord.StatusActive, &now
	var barcode *string
	var expiresAt *time.Time
	if ns.Gate {
		code := newBarcode()
		status, start, barcode = coord.StatusPending, nil, &code
		if !ns.ExpiresAt.IsZero() {
			t := utcMillis(ns.ExpiresAt)
			expiresAt = &t
		}
	}
	var r *sessionRow
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var err error
		r, err = scanSession(tx.QueryRow(ctx, `INSERT INTO sessions
				(user_id, location_id, status, resource_id, barcode, currency, created_at, start_time, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (user_id) WHERE status IN ('pending', 'active') DO NOTHING
			RETURNING `+sessionCols,
			uid, ns.LocationID, status, ns.ResourceID, barcode, ns.Currency, now, start, expiresAt))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return errOpenExists
		case err != nil || ns.IdempotencyKey == "":
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (user_id, key, session_id, created_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			uid, ns.IdempotencyKey, r.ID, now)
		if err == nil && tag.RowsAffected() == 0 {
			return errRetry // roll back; the next attempt finds the key's session
		}
		return err
	})
	if isForeignKeyViolation(err) {
		return nil, noUser(uid.String())
	}
	if err != nil {
		return nil, err
	}
	return r.Session, nil
}

// openConflict reports the user's open session as EActiveSessionExists,
// first settling it if its time has come (then the caller retries).
func (db *DB) openConflict(ctx context.Context, uid uuid.UUID, now time.Time) error {
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
	return coord.Errorf(coord.EActiveSessionExists, "the user already has an open session").
		WithDetails(strconv.FormatInt(r.ID, 10))
}

// Session returns one of the user's sessions at a location: one indexed
// SELECT, plus a settling UPDATE only when the session is due.
func (db *DB) Session(ctx context.Context, userID, locationID string, id int64) (*coord.Session, error) {
	now := db.now()
	r, err := db.userSession(ctx, userID, locationID, id)
	if err != nil {
		return nil, dbError("postgres: get session", err)
	}
	s, err := db.settled(ctx, r, now)
	return s, dbError("postgres: get session", err)
}

// userSession reads a session if it is the user's and at the location; any
// other case is ENotFound, so that ids of other users' sessions do not leak.
func (db *DB) userSession(ctx context.Context, userID, locationID string, id int64) (*sessionRow, error) {
	notFound := coord.Errorf(coord.ENotFound, "no session %d at location %q", id, locationID)
	uid, ok := parseUserID(userID)
	if !ok {
		return nil, notFound
	}
	r, err := scanSession(db.pool.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE id = $1 AND user_id = $2 AND location_id = $3`, id, uid, locationID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound
	}
	return r, err
}

// Sessions lists the user's sessions, newest first, from the
// sessions_user_newest index.
func (db *DB) Sessions(ctx context.Context, f coord.SessionFilter) ([]*coord.Session, error) {
	list := []*coord.Session{}
	uid, ok := parseUserID(f.UserID)
	if !ok {
		return list, nil
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 50 // the API's default page
	case limit > 100:
		limit = 100
	}
	// A plain id < $3 (rather than "$3 = 0 OR ...") lets the index range
	// start at the page boundary even in a generic plan.
	before := f.BeforeID
	if before <= 0 {
		before = math.MaxInt64
	}
	now := db.now()
	rows, err := db.pool.Query(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE user_id = $1 AND id < $3 AND ($2 = '' OR location_id = $2)
		ORDER BY id DESC LIMIT $4`, uid, f.LocationID, before, limit)
	if err != nil {
		return nil, dbError("postgres: list sessions", err)
	}
	found, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*sessionRow, error) { return scanSession(row) })
	if err != nil {
		return nil, dbError("postgres: list sessions", err)
	}
	for _, r := range found {
		// At most one row (the user's open session) can be due.
		s, err := db.settled(ctx, r, now)
		if err != nil {
			return nil, dbError("postgres: list sessions", err)
		}
		list = append(list, s)
	}
	return list, nil
}

// EndSession ends an active app-controlled session. The UPDATE is
// conditional on the session still being active, so of concurrent calls
// exactly one bills it and the others read back that same result.
func (db *DB) EndSession(ctx context.Context, userID, locationID string, id int64, price coord.Price) (*coord.Session, error) {
	now := db.now()
	r, err := db.userSession(ctx, userID, locationID, id)
	if err != nil {
		return nil, dbError("postgres: end session", err)
	}
	if r.GateControlled() {
		return nil, coord.Errorf(coord.EPhysicalCheckout, "session %d ends at the exit gate", id)
	}
	if r.Status != coord.StatusActive {
		return r.Session, nil
	}
	// Clocks of replicas differ slightly: never end before the start.
	end := now
	if end.Before(*r.StartTime) {
		end = *r.StartTime
	}
	cost := price.Cost(end.Sub(*r.StartTime))
	ended, err := scanSession(db.pool.QueryRow(ctx, `UPDATE sessions
		SET status = 'ended', end_time = $2, cost_amount = $3, cost_currency = $4
		WHERE id = $1 AND status = 'active' RETURNING `+sessionCols, id, end, cost.Amount, cost.Currency))
	if errors.Is(err, pgx.ErrNoRows) {
		// A concurrent call ended it; return what it billed.
		ended, err = db.userSession(ctx, userID, locationID, id)
	}
	if err != nil {
		return nil, dbError("postgres: end session", err)
	}
	return ended.Session, nil
}

// Redeem plays both gates of a pending gate session: the entry now, and an
// exit after d that settlement carries out (at once when d is 0).
func (db *DB) Redeem(ctx context.Context, userID, locationID string, id int64, d time.Duration, price coord.Price) (*coord.Session, error) {
	if d < 0 {
		return nil, coord.Errorf(coord.EValidation, "negative duration %s", d)
	}
	now := db.now()
	r, err := db.userSession(ctx, userID, locationID, id)
	if err != nil {
		return nil, dbError("postgres: redeem session", err)
	}
	// An expired session is settled (cancelled) first, like any due row.
	s, err := db.settled(ctx, r, now)
	if err != nil {
		return nil, dbError("postgres: redeem session", err)
	}
	notRedeemable := coord.Errorf(coord.ENotRedeemable, "session %d is not a pending gate session", id)
	if !s.GateControlled() || s.Status != coord.StatusPending {
		return nil, notRedeemable
	}
	cost := price.Cost(d)
	redeemed, err := scanSession(db.pool.QueryRow(ctx, `UPDATE sessions
		SET status = 'active', start_time = $2, exit_at = $3, planned_amount = $4, planned_currency = $5
		WHERE id = $1 AND status = 'pending' AND (expires_at IS NULL OR expires_at > $2)
		RETURNING `+sessionCols, id, now, utcMillis(now.Add(d)), cost.Amount, cost.Currency))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notRedeemable // redeemed or expired concurrently
	}
	if err != nil {
		return nil, dbError("postgres: redeem session", err)
	}
	s, err = db.settled(ctx, redeemed, now)
	return s, dbError("postgres: redeem session", err)
}

// newBarcode returns unguessable redemption data: 130 random bits in base32.
func newBarcode() string {
	return "CRD-" + rand.Text()
}

func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}
