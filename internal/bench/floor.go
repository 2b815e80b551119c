package bench

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coordapi/coord/sqlite"
	"github.com/coordapi/coord/token"
)

// The floor is the least a poll can do: a plain net/http handler with the
// same checks get_session makes — the access key, the HS256 JWT (algorithm,
// signature, expiry, issuer, audience) with golang-jwt, the indexed read by
// (id, user_id, location_id) with a prepared statement on the same database
// — and the session as JSON. No framework, no validation of the rest of
// the request, no log, no metrics. The server's poll rate is compared
// with it: what the server spends above it is the framework and our own
// middleware.

// FloorConfig is what the floor checks requests against.
type FloorConfig struct {
	Secret    []byte // the server's JWT signing key
	Audience  string // the partner the tokens are for
	AccessKey string // that partner's access key
}

// FloorSession is the session the floor reads and renders: the columns the
// stores read, in the API's field names.
type FloorSession struct {
	ID         int64       `json:"id"`
	LocationID string      `json:"location_id"`
	UserID     string      `json:"user_id"`
	Status     string      `json:"status"`
	ResourceID string      `json:"resource_id,omitempty"`
	StartTime  *time.Time  `json:"start_time,omitempty"`
	EndTime    *time.Time  `json:"end_time,omitempty"`
	Cost       *FloorMoney `json:"cost,omitempty"`
}

// FloorMoney is a session's cost.
type FloorMoney struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// FloorReader is the floor's one database read.
type FloorReader interface {
	Session(ctx context.Context, id int64, userID, locationID string) (*FloorSession, error)
	Close()
}

// FloorHandler serves get_session's path with the floor's checks.
func FloorHandler(cfg FloorConfig, db FloorReader) http.Handler {
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(token.Issuer),
		jwt.WithAudience(cfg.Audience),
	)
	keyFunc := func(*jwt.Token) (any, error) { return cfg.Secret, nil }
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/users/{location}/session/{id}", func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("access_key")), []byte(cfg.AccessKey)) != 1 {
			http.Error(w, "unknown access_key", http.StatusUnauthorized)
			return
		}
		bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		var claims jwt.RegisteredClaims
		if _, err := parser.ParseWithClaims(bearer, &claims, keyFunc); err != nil || claims.Subject == "" {
			http.Error(w, "invalid token", http.StatusUnauthorized)
			return
		}
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.Error(w, "bad id", http.StatusBadRequest)
			return
		}
		s, err := db.Session(r.Context(), id, claims.Subject, r.PathValue("location"))
		if errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows) {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	return mux
}

// ServeFloor serves FloorHandler on addr until the process ends.
func ServeFloor(addr string, cfg FloorConfig, db FloorReader) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return http.Serve(l, FloorHandler(cfg, db))
}

// floorSQLite reads with one prepared statement on a pool of read-only
// connections with the store's settings.
type floorSQLite struct {
	db   *sql.DB
	stmt *sql.Stmt
}

// OpenFloorSQLite opens the (already migrated) SQLite file at path.
func OpenFloorSQLite(path string) (FloorReader, error) {
	db, err := sql.Open("sqlite", sqlite.ReaderDSN(path))
	if err != nil {
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	stmt, err := db.Prepare(`SELECT id, location_id, user_id, status, resource_id, start_time, end_time,
		cost_amount, cost_currency FROM sessions WHERE id = ? AND user_id = ? AND location_id = ?`)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &floorSQLite{db: db, stmt: stmt}, nil
}

func (f *floorSQLite) Close() { f.stmt.Close(); f.db.Close() }

func (f *floorSQLite) Session(ctx context.Context, id int64, userID, locationID string) (*FloorSession, error) {
	var (
		s                  FloorSession
		start, end, amount sql.NullInt64
		currency           sql.NullString
	)
	err := f.stmt.QueryRowContext(ctx, id, userID, locationID).Scan(&s.ID, &s.LocationID, &s.UserID,
		&s.Status, &s.ResourceID, &start, &end, &amount, &currency)
	if err != nil {
		return nil, err
	}
	s.StartTime, s.EndTime = millis(start), millis(end)
	if amount.Valid {
		s.Cost = &FloorMoney{amount.Int64, currency.String}
	}
	return &s, nil
}

func millis(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMilli(v.Int64).UTC()
	return &t
}

// floorPostgres reads through a pgx pool from the server's DSN; pgx
// prepares each statement once per connection and caches it.
type floorPostgres struct{ pool *pgxpool.Pool }

// OpenFloorPostgres connects to the (already migrated) schema dsn names.
func OpenFloorPostgres(ctx context.Context, dsn string) (FloorReader, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return &floorPostgres{pool: pool}, nil
}

func (f *floorPostgres) Close() { f.pool.Close() }

func (f *floorPostgres) Session(ctx context.Context, id int64, userID, locationID string) (*FloorSession, error) {
	var (
		s        FloorSession
		amount   *int64
		currency *string
	)
	err := f.pool.QueryRow(ctx, `SELECT id, location_id, user_id::text, status, resource_id, start_time, end_time,
		cost_amount, cost_currency FROM sessions WHERE id = $1 AND user_id = $2 AND location_id = $3`,
		id, userID, locationID).Scan(&s.ID, &s.LocationID, &s.UserID, &s.Status, &s.ResourceID,
		&s.StartTime, &s.EndTime, &amount, &currency)
	if err != nil {
		return nil, err
	}
	if amount != nil && currency != nil {
		s.Cost = &FloorMoney{*amount, *currency}
	}
	return &s, nil
}
