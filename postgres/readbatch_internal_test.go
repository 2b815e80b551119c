package postgres

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coordapi/coord"
)

// Reads queued while every slot is taken go as one batch, in which each gets
// its own session (a duplicate its own copy) and a reference that is not
// the session's user's or location's gets none.
func TestQueuedReadsGoAsOneBatch(t *testing.T) {
	db := openInternal(t, "")
	ctx := t.Context()
	var sessions []*coord.Session
	for _, uid := range []string{"a", "b"} {
		u, err := db.UpsertUser(ctx, coord.UserProfile{PartnerID: "p", ExternalUID: uid, Email: uid + "@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		s, _, err := db.CreateSession(ctx, coord.NewSession{UserID: u.UserID, LocationID: "l", Currency: "USD"})
		if err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, s)
	}
	a, b := sessions[0], sessions[1]
	refs := []coord.SessionRef{
		a.Ref(), a.Ref(), b.Ref(),
		{UserID: b.UserID, LocationID: "l", ID: a.ID}, // another user's
		{UserID: a.UserID, LocationID: "m", ID: a.ID}, // another location
		{UserID: a.UserID, LocationID: "l", ID: b.ID + 1000},
	}
	wants := []*coord.Session{a, a, b, nil, nil, nil}

	reads := db.reads
	reads.mu.Lock()
	reads.running = readBatchesMax // every slot taken
	reads.mu.Unlock()
	got := make([]*sessionRow, len(refs))
	errs := make([]error, len(refs))
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Go(func() { got[i], errs[i] = reads.read(ctx, ref) })
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		reads.mu.Lock()
		n := len(reads.queue)
		reads.mu.Unlock()
		if n == len(refs) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d reads queued, want %d", n, len(refs))
		}
	}
	reads.drain() // frees one slot once the queue, all of it one batch, is read
	wg.Wait()
	reads.mu.Lock()
	if reads.running != readBatchesMax-1 || len(reads.queue) != 0 {
		t.Errorf("after the batch: %d running, %d queued", reads.running, len(reads.queue))
	}
	reads.running = 0
	reads.mu.Unlock()

	for i, want := range wants {
		if want == nil {
			if !errors.Is(errs[i], pgx.ErrNoRows) {
				t.Errorf("read %d (%+v): %v, %v; want no rows", i, refs[i], got[i], errs[i])
			}
			continue
		}
		if errs[i] != nil || got[i].ID != want.ID || got[i].UserID != want.UserID {
			t.Errorf("read %d (%+v): %+v, %v; want session %d", i, refs[i], got[i], errs[i], want.ID)
		}
	}
	if got[0] != nil && got[0].Session == got[1].Session {
		t.Error("two reads of one session share its struct")
	}
}

// A batch's statement is planned once per size and connection: PostgreSQL
// settles on its generic (cached) plan, as for every other statement.
func TestBatchReadsUseACachedPlan(t *testing.T) {
	db := openInternal(t, "&pool_max_conns=1") // one connection, so one statement cache
	ctx := t.Context()
	for range 10 {
		if err := db.reads.queryBatch(ctx, []int64{1, 2, 3}, func(*sessionRow) {}); err != nil {
			t.Fatal(err)
		}
	}
	var generic, custom int64
	err := db.pool.QueryRow(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1`,
		batchQueries[3]).Scan(&generic, &custom)
	if err != nil || generic == 0 {
		t.Errorf("batch of 3, 10 times: %d generic plans, %d custom, %v; want generic plans", generic, custom, err)
	}
}
