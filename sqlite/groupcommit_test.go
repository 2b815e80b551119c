package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coordapi/coord"
)

// holdWriter takes the writer's one connection away from the committer and
// starts a write that the committer takes alone and blocks on, so that the
// writes started next all queue behind it. release gives the connection
// back, and waits for the lone write.
func holdWriter(t *testing.T, db *DB) (release func()) {
	t.Helper()
	conn, err := db.writer.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	waits := db.writer.Stats().WaitCount
	lone := make(chan error, 1)
	go func() {
		lone <- db.write(context.Background(), func(context.Context, querier) error { return nil })
	}()
	waitFor(t, "the committer to wait for the connection", func() bool { return db.writer.Stats().WaitCount > waits })
	return func() {
		conn.Close()
		if err := <-lone; err != nil {
			t.Errorf("the lone write: %v", err)
		}
	}
}

// queuedWrites is how many writes wait for the next batch.
func queuedWrites(db *DB) int {
	db.commit.mu.Lock()
	defer db.commit.mu.Unlock()
	return len(db.commit.queue)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestConcurrentWritesShareOneCommit: writes that queue while a commit is
// in progress are committed together, one transaction for all of them, and
// each still has its own outcome: a conflict with a session created earlier
// in the same batch, a missing session, a write that fails after writing
// and a write that panics are each rolled back to their savepoint and
// answered with their own error, while every other write of the batch is
// committed and answered. Only committed events reach the listeners, and
// each of them is readable by the time its listener hears of it.
func TestConcurrentWritesShareOneCommit(t *testing.T) {
	ctx := t.Context()
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	const creators = 40
	users := make([]*coord.User, creators)
	for i := range users {
		u, err := db.UpsertUser(ctx, coord.UserProfile{PartnerID: "p", ExternalUID: fmt.Sprint("u", i)})
		if err != nil {
			t.Fatal(err)
		}
		users[i] = u
	}

	var mu sync.Mutex
	var heard []coord.Change
	var unreadable []int64
	listening, stop := context.WithCancel(ctx)
	defer stop()
	go db.ListenChanges(listening, func(ch coord.Change) {
		var n int
		err := db.reader.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE partner_id = ? AND seq = ?`, ch.PartnerID, ch.Seq).Scan(&n)
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, ch)
		if err != nil || n != 1 {
			unreadable = append(unreadable, ch.Seq)
		}
	})
	waitFor(t, "the listener", func() bool {
		db.changes.mu.Lock()
		defer db.changes.mu.Unlock()
		return len(db.changes.listeners) == 1
	})

	commits, requests := db.commit.commits.Load(), db.commit.requests.Load()
	release := holdWriter(t, db)

	var wg sync.WaitGroup
	created := make([]*coord.Session, creators)
	errs := make([]error, creators)
	for i, u := range users {
		wg.Go(func() {
			created[i], _, errs[i] = db.CreateSession(ctx, coord.NewSession{UserID: u.UserID, LocationID: "l", Currency: "USD"})
		})
	}
	// A second create for the first user: one of the two conflicts with the
	// other, uncommitted but earlier in the same transaction.
	var twin *coord.Session
	var twinErr error
	wg.Go(func() {
		twin, _, twinErr = db.CreateSession(ctx, coord.NewSession{UserID: users[0].UserID, LocationID: "l", Currency: "USD"})
	})
	var missingErr error
	wg.Go(func() {
		_, _, missingErr = db.EndSession(ctx, coord.SessionRef{UserID: users[1].UserID, LocationID: "l", ID: 1 << 40}, coord.Price{RatePeriodM: 60, IncrementM: 1})
	})
	failure := errors.New("failed after writing")
	var failedErr error
	wg.Go(func() {
		failedErr = db.write(ctx, func(ctx context.Context, tx querier) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO users (user_id, partner_id, external_uid, email, name, test, created_at)
				VALUES ('ghost', 'p', 'ghost', '', '', 0, 0)`); err != nil {
				return err
			}
			if err := userEvent(ctx, tx, db.now(), coord.EventVehicleUpdated, "ghost"); err != nil {
				return err
			}
			return failure
		})
	})
	var panicked any
	wg.Go(func() {
		defer func() { panicked = recover() }()
		_ = db.write(ctx, func(ctx context.Context, tx querier) error {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET name = 'panicked' WHERE user_id = ?`, users[2].UserID); err != nil {
				return err
			}
			panic("a bug")
		})
	})
	const batched = creators + 4
	waitFor(t, "every write to queue", func() bool { return queuedWrites(db) == batched })
	release()
	wg.Wait()

	if got := db.commit.commits.Load() - commits; got != 2 {
		t.Errorf("%d commits for the lone write and %d queued ones, want 2", got, batched)
	}
	if got := db.commit.requests.Load() - requests; got != batched+1 {
		t.Errorf("the commits carried %d requests, want %d", got, batched+1)
	}

	for i, err := range errs {
		if err != nil && !(i == 0 && coord.ErrorCode(err) == coord.EActiveSessionExists) {
			t.Errorf("create for user %d: %v", i, err)
		}
	}
	switch {
	case errs[0] == nil && coord.ErrorCode(twinErr) == coord.EActiveSessionExists:
	case twinErr == nil && coord.ErrorCode(errs[0]) == coord.EActiveSessionExists:
		created[0] = twin
	default:
		t.Errorf("two creates for one user: %v and %v, want one session and one %s", errs[0], twinErr, coord.EActiveSessionExists)
	}
	if coord.ErrorCode(missingErr) != coord.ENotFound {
		t.Errorf("ending a missing session: %v, want %s", missingErr, coord.ENotFound)
	}
	if !errors.Is(failedErr, failure) {
		t.Errorf("the failing write: %v, want its own error", failedErr)
	}
	if panicked != "a bug" {
		t.Errorf("the panicking write's caller recovered %v, want its panic", panicked)
	}

	for i, s := range created {
		if s == nil {
			continue
		}
		got, err := db.Session(ctx, s.Ref())
		if err != nil || got.ID != s.ID {
			t.Errorf("user %d's acknowledged session %d: %v, %v", i, s.ID, got, err)
		}
	}
	var n int
	if err := db.reader.QueryRowContext(ctx, `SELECT count(*) FROM sessions`).Scan(&n); err != nil || n != creators {
		t.Errorf("%d sessions stored (%v), want %d", n, err, creators)
	}
	if err := db.reader.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE user_id = 'ghost' OR name = 'panicked'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows of the failed writes stored (%v), want none", n, err)
	}

	stop()
	mu.Lock()
	defer mu.Unlock()
	if len(heard) != creators {
		t.Errorf("the listener heard %d changes, want the %d sessions created", len(heard), creators)
	}
	for _, ch := range heard {
		if ch.Type != coord.EventSessionCreated {
			t.Errorf("the listener heard %+v, which no committed write appended", ch)
		}
	}
	if len(unreadable) > 0 {
		t.Errorf("events %v were published before they could be read", unreadable)
	}
}

// TestAWriteAbandonedInTheQueueNeverRuns: a caller that gives up while its
// write is queued gets its context's error at once, and the write is not
// run later.
func TestAWriteAbandonedInTheQueueNeverRuns(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	release := holdWriter(t, db)
	ctx, cancel := context.WithCancel(t.Context())
	ran := false
	errc := make(chan error, 1)
	go func() {
		errc <- db.write(ctx, func(context.Context, querier) error { ran = true; return nil })
	}()
	waitFor(t, "the write to queue", func() bool { return queuedWrites(db) == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("the abandoned write: %v, want %v", err, context.Canceled)
	}
	release()
	// One more write through the committer, so the abandoned one had its turn.
	if _, err := db.UpsertUser(t.Context(), coord.UserProfile{PartnerID: "p", ExternalUID: "u"}); err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Error("the abandoned write ran")
	}
}

// TestWritesAfterCloseAreUnavailable: Close stops the committer; a later
// write is EUnavailable, not a hang.
func TestWritesAfterCloseAreUnavailable(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpsertUser(t.Context(), coord.UserProfile{PartnerID: "p", ExternalUID: "u"}); coord.ErrorCode(err) != coord.EUnavailable {
		t.Errorf("a write after Close: %v, want %s", err, coord.EUnavailable)
	}
}

// TestAFailedCommitFailsEveryWriteOfItsBatch: when the batch's COMMIT fails
// (here a foreign key checked only at COMMIT), every write of the batch gets
// the error, none is stored or heard of, and the next write commits.
func TestAFailedCommitFailsEveryWriteOfItsBatch(t *testing.T) {
	ctx := t.Context()
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	users := make([]*coord.User, 2)
	for i := range users {
		u, err := db.UpsertUser(ctx, coord.UserProfile{PartnerID: "p", ExternalUID: fmt.Sprint("u", i)})
		if err != nil {
			t.Fatal(err)
		}
		users[i] = u
	}
	listening, stop := context.WithCancel(ctx)
	defer stop()
	var heard sync.Map
	go db.ListenChanges(listening, func(ch coord.Change) { heard.Store(ch.Seq, ch) })
	waitFor(t, "the listener", func() bool {
		db.changes.mu.Lock()
		defer db.changes.mu.Unlock()
		return len(db.changes.listeners) == 1
	})

	release := holdWriter(t, db)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, u := range users {
		wg.Go(func() {
			_, _, errs[i] = db.CreateSession(ctx, coord.NewSession{UserID: u.UserID, LocationID: "l", Currency: "USD"})
		})
	}
	wg.Go(func() {
		errs[2] = db.write(ctx, func(ctx context.Context, tx querier) error {
			if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO linked_accounts (user_id, system_id, linked) VALUES ('nobody', 's', 1)`)
			return err
		})
	})
	waitFor(t, "every write to queue", func() bool { return queuedWrites(db) == len(errs) })
	release()
	wg.Wait()

	for i, err := range errs {
		if !isForeignKey(err) || !strings.Contains(err.Error(), "commit") {
			t.Errorf("write %d of the batch: %v, want the COMMIT's foreign key failure", i, err)
		}
	}
	var n int
	if err := db.reader.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM linked_accounts)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows of the failed batch stored (%v), want none", n, err)
	}
	heard.Range(func(_, ch any) bool {
		t.Errorf("the listener heard %+v of the failed batch", ch)
		return true
	})
	if _, _, err := db.CreateSession(ctx, coord.NewSession{UserID: users[0].UserID, LocationID: "l", Currency: "USD"}); err != nil {
		t.Errorf("a write after the failed commit: %v", err)
	}
}
