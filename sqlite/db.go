// Package sqlite is the embedded default coord.Store: one SQLite file in WAL
// mode, through the pure-Go modernc.org/sqlite driver.
//
// Writes go through one connection in BEGIN IMMEDIATE transactions, owned
// by one goroutine that commits concurrent writes together (group commit,
// groupcommit.go): they queue in Go instead of failing with SQLITE_BUSY,
// every read-modify-write sees the latest state, and one fsync serves many.
// Reads use a separate pool and, thanks to WAL, never wait for the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/coordapi/coord"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DB is a coord.Store over one SQLite file.
type DB struct {
	cfg    coord.StoreConfig // with defaults; its clock is read once per operation
	writer *sql.DB           // one connection, BEGIN IMMEDIATE, used by the committer
	reader *sql.DB           // several read-only connections
	// Prepared statements of each pool; ro reads through the reader's.
	writerStmts, readerStmts *stmtCache
	ro                       pooled
	version                  int64 // latest embedded migration, for Ping
	closed                   atomic.Bool
	changes                  changes       // what committed writes appended, for ListenChanges
	sessions                 *sessionCache // sessions as last read, dropped by the commits that change them
	lists                    *listCache    // final list rows by id and version (listcache.go)
	commit                   committer     // the queue of writes and the goroutine that batches them
	hand                     *handoffState // the webhook handoff, the committer's alone (handoff.go)
	hooks                    *hookSet      // the webhook endpoints, the committer's alone (deliveries.go)
	// corrupt is set once a read found the file damaged; the server is then
	// not ready until restarted on a restored file.
	corrupt atomic.Bool
}

var _ coord.Store = (*DB)(nil)

// DSN parameters of every connection: WAL so readers never block the
// writer; synchronous=FULL so that an acknowledged commit survives a crash
// of the process or the machine; a busy timeout for other processes on the
// same file; foreign keys, which SQLite leaves off by default; and temporary
// files in memory: the group committer's savepoints journal every page a
// request first changes, and past 64 KiB SQLite spilled that sub-journal to
// a temporary file, one pwrite per page — a tenth of the server's CPU under
// writes with webhooks (a batch's sub-journal is a few MiB at most).
const params = "_busy_timeout=5000&_journal_mode=WAL&_synchronous=FULL&_foreign_keys=1&_pragma=temp_store(MEMORY)"

// WriterDSN is the modernc.org/sqlite data source name of the store's writer
// connection to the file at path: BEGIN IMMEDIATE transactions.
func WriterDSN(path string) string { return path + "?" + params + "&_txlock=immediate" }

// ReaderDSN is the data source name of the store's read-only connections.
func ReaderDSN(path string) string { return path + "?" + params + "&_query_only=1" }

// Open opens (creating if needed) the database file at path and applies the
// embedded migrations. path is a plain file name; an in-memory database
// would not be shared between the two pools.
func Open(ctx context.Context, path string, cfg coord.StoreConfig) (*DB, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") {
		return nil, fmt.Errorf("open %q: sqlite needs a file path", path)
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	writer, err := sql.Open("sqlite", WriterDSN(path))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)

	version, err := migrate(ctx, writer)
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}

	// The readers open after migrating, so they never race the switch to WAL.
	reader, err := sql.Open("sqlite", ReaderDSN(path))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	reader.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	reader.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))

	db := &DB{cfg: cfg.WithDefaults(), writer: writer, reader: reader, version: version,
		writerStmts: &stmtCache{pool: writer}, readerStmts: &stmtCache{pool: reader},
		sessions: newSessionCache(), lists: newListCache(listCacheSize)}
	db.ro = pooled{db.readerStmts}
	db.startCommitter()
	// Only the read half of Ping: a read-only file opens, and /readyz says
	// why the server is not ready.
	if err := db.answers(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database; closing it again does nothing.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	db.stopCommitter()
	db.writerStmts.close()
	db.readerStmts.close()
	return errors.Join(db.reader.Close(), db.writer.Close())
}

// Ping reports whether the database answers, has every embedded migration,
// would take a write and has not been found corrupt. The write check runs
// an UPDATE that matches no row and rolls back, writing nothing: SQLite
// refuses any write statement on a read-only file or file system, though
// it lets a read-only connection BEGIN IMMEDIATE.
func (db *DB) Ping(ctx context.Context) error {
	if db.corrupt.Load() && !db.closed.Load() {
		return fmt.Errorf("ping: %w", coord.Errorf(coord.EUnavailable, "database file is corrupt (a page failed to read): restore it from a backup"))
	}
	if err := db.answers(ctx); err != nil {
		return err
	}
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return db.fail(err, "ping: begin a write")
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `UPDATE `+goose.DefaultTablename+` SET is_applied = is_applied WHERE 0`)
	if isReadOnly(err) {
		return fmt.Errorf("ping: %w: %w", coord.Errorf(coord.EUnavailable, "database is read-only: it cannot take a write"), err)
	}
	return db.fail(err, "ping: try a write")
}

// answers reports whether the database answers reads and has every
// embedded migration.
func (db *DB) answers(ctx context.Context) error {
	var version int64
	err := db.reader.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(version_id), 0) FROM `+goose.DefaultTablename+` WHERE is_applied`).Scan(&version)
	if err != nil {
		return db.fail(err, "ping")
	}
	if version < db.version {
		return fmt.Errorf("ping: %w", coord.Errorf(coord.EUnavailable, "database schema at version %d, want %d", version, db.version))
	}
	return nil
}

// now is the store's time as stored: Unix milliseconds.
func (db *DB) now() int64 { return db.cfg.Clock.Now().UnixMilli() }

// querier is what both *sql.DB and *sql.Tx offer, so helpers run in or
// outside a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// read runs fn in a read transaction, so that its queries see one snapshot.
func (db *DB) read(ctx context.Context, fn func(tx querier) error) error {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	q := db.readerStmts.in(tx)
	defer q.prepareMissed(ctx)
	defer tx.Rollback()
	return fn(q)
}

// fail gives err the context of the operation that failed. Domain errors
// pass unchanged; failures of the database itself (closed, locked for longer
// than the busy timeout, I/O, disk full) also carry EUnavailable so that
// callers can tell "try again later" from a bug.
func (db *DB) fail(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var ce *coord.Error
	if errors.As(err, &ce) {
		return err
	}
	msg := fmt.Sprintf(format, args...)
	if isCorrupt(err) {
		db.corrupt.Store(true)
		return fmt.Errorf("%s: %w: %w", msg, coord.Errorf(coord.EUnavailable, "database file is corrupt"), err)
	}
	if db.closed.Load() || errors.Is(err, sql.ErrConnDone) || isUnavailable(err) {
		return fmt.Errorf("%s: %w: %w", msg, coord.ErrStoreUnavailable(), err)
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// isUnavailable reports SQLite result codes that mean the database cannot
// serve now, as opposed to a bad statement.
func isUnavailable(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff { // the primary code
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PROTOCOL:
		return true
	}
	return false
}

// isCorrupt reports that SQLite found the file damaged or not a database.
func isCorrupt(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff
	return code == sqlite3.SQLITE_CORRUPT || code == sqlite3.SQLITE_NOTADB
}

// isReadOnly reports that SQLite refused a write to a read-only database.
func isReadOnly(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_READONLY
}

// isForeignKey reports a FOREIGN KEY constraint violation.
func isForeignKey(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// isUnique reports a UNIQUE or PRIMARY KEY constraint violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) &&
		(se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}
