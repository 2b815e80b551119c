package delivery

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestRecordsArrivingDuringACommitGoAsOneGroup(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	var mu sync.Mutex
	var groups [][]int64
	g := &RecordGroups{Commit: func(ctx context.Context, group []Recorded) ([]bool, error) {
		mu.Lock()
		ids := make([]int64, len(group))
		stale := make([]bool, len(group))
		for i, r := range group {
			ids[i] = r.Delivery.ID
			stale[i] = r.Delivery.Claim == "stale"
		}
		groups = append(groups, ids)
		first := len(groups) == 1
		mu.Unlock()
		if first {
			started <- struct{}{}
			<-release
		}
		return stale, nil
	}}
	ctx := t.Context()
	first := make(chan error, 1)
	go func() { first <- g.Record(ctx, Delivery{ID: 1}, Outcome{State: Delivered}) }()
	<-started // the first record is committing, alone
	const n = 5
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		claim := ""
		if i == 2 {
			claim = "stale"
		}
		wg.Go(func() { errs[i] = g.Record(ctx, Delivery{ID: int64(10 + i), Claim: claim}, Outcome{State: Delivered}) })
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) { // every one queued behind the commit in progress
		g.mu.Lock()
		queued := len(g.pending)
		g.mu.Unlock()
		if queued == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d records queued", queued, n)
		}
	}
	close(release)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatalf("first record: %v", err)
	}
	for i, err := range errs {
		if want := i == 2; errors.Is(err, ErrStaleClaim) != want || (!want && err != nil) {
			t.Errorf("record %d: %v", i, err)
		}
	}
	if len(groups) != 2 || len(groups[0]) != 1 || len(groups[1]) != n {
		t.Fatalf("groups %v; want the first alone, then the %d that queued meanwhile together", groups, n)
	}
}

func TestAFailedGroupFailsEachOfItsRecords(t *testing.T) {
	boom := errors.New("boom")
	g := &RecordGroups{Commit: func(context.Context, []Recorded) ([]bool, error) { return nil, boom }}
	if err := g.Record(t.Context(), Delivery{ID: 1}, Outcome{State: Delivered}); !errors.Is(err, boom) {
		t.Fatalf("record: %v, want the group's error", err)
	}
	// The failed group left no leader behind: the next record commits.
	g.Commit = func(_ context.Context, group []Recorded) ([]bool, error) { return make([]bool, len(group)), nil }
	if err := g.Record(t.Context(), Delivery{ID: 2}, Outcome{State: Delivered}); err != nil {
		t.Fatalf("next record: %v", err)
	}
}
