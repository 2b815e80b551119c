package deliverytest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/coordapi/coord/delivery"
)

// RecordHarness is what a store whose queue records in groups gives
// TestRecordGroups: the queue, and its delivery.RecordGroups.Commit.
type RecordHarness struct {
	Queue  delivery.StoreQueue
	Commit func(t *testing.T, group []delivery.Recorded) (stale []bool, err error)
}

// TestRecordGroups checks that a group of outcomes is stored as each
// would be alone. newHarness returns a store with the suite's endpoints
// (SuiteEndpoints) and nothing else each time.
func TestRecordGroups(t *testing.T, newHarness func(t *testing.T) RecordHarness) {
	// claimed enqueues a delivery per endpoint id given and claims them all,
	// returned in the order enqueued.
	claimed := func(t *testing.T, h RecordHarness, now time.Time, ids ...string) []delivery.Delivery {
		t.Helper()
		want := map[string]int{}
		for i, id := range ids {
			if err := h.Queue.Enqueue(t.Context(), id, fmt.Sprint("evt_", id, i), []byte(`{}`)); err != nil {
				t.Fatal(err)
			}
			want[id]++
		}
		ds, err := h.Queue.Claim(t.Context(), delivery.ClaimRequest{Now: now, Lease: time.Minute, Limit: len(ids), Want: want})
		if err != nil || len(ds) != len(ids) {
			t.Fatalf("claim: %d of %d, %v", len(ds), len(ids), err)
		}
		slices.SortFunc(ds, func(a, b delivery.Delivery) int { return cmp.Compare(a.ID, b.ID) })
		return ds
	}

	t.Run("a group stores each outcome as alone, a stale one not at all", func(t *testing.T) {
		h := newHarness(t)
		now := time.Now().Add(time.Second)
		ds := claimed(t, h, now, "a", "a", "a", "b")
		at := now.Truncate(time.Millisecond)
		next := at.Add(time.Hour)
		staleOne := ds[2]
		staleOne.Claim = "another"
		outcomes := []delivery.Outcome{
			{State: delivery.Delivered, AttemptedAt: at, StatusCode: 204, Latency: 3 * time.Millisecond},
			{State: delivery.Retrying, AttemptedAt: at, StatusCode: 500, Error: "HTTP 500", NextAttempt: next},
			{State: delivery.Delivered, AttemptedAt: at, StatusCode: 200},
			{State: delivery.Disabled, AttemptedAt: at, StatusCode: 410, Error: "HTTP 410"},
		}
		var group []delivery.Recorded
		for i, d := range []delivery.Delivery{ds[0], ds[1], staleOne, ds[3]} {
			group = append(group, delivery.Recorded{Delivery: d, Outcome: outcomes[i]})
		}
		stale, err := h.Commit(t, group)
		if err != nil || len(stale) != 4 || stale[0] || stale[1] || !stale[2] || stale[3] {
			t.Fatalf("stale %v, %v; want only the third", stale, err)
		}
		got, err := h.Queue.Attempts(t.Context(), "a", 10)
		if err != nil || len(got) != 2 {
			t.Fatalf("a's attempts %+v, %v; want 2", got, err)
		}
		if got[0].State != delivery.Retrying || got[0].StatusCode != 500 || got[0].Error != "HTTP 500" || !got[0].NextAttempt.Equal(next) ||
			got[1].State != delivery.Delivered || got[1].Latency != 3*time.Millisecond || !got[1].AttemptedAt.Equal(at) {
			t.Fatalf("a's attempts %+v", got)
		}
		if b, err := h.Queue.Attempts(t.Context(), "b", 10); err != nil || len(b) != 1 || b[0].State != delivery.Disabled {
			t.Fatalf("b's attempts %+v, %v", b, err)
		}
		// The retrying one is due again at next, as its second attempt; the
		// one recorded under a stale claim was left as it was (due again once
		// its lease ran out); b is disabled.
		again, err := h.Queue.Claim(t.Context(), delivery.ClaimRequest{Now: next.Add(time.Millisecond), Lease: time.Minute, Limit: 4,
			Want: map[string]int{"a": 3, "b": 1}})
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]delivery.Delivery{}
		for _, d := range again {
			byID[d.ID] = d
		}
		if len(again) != 2 || byID[ds[1].ID].Attempt != 2 || byID[ds[2].ID].ID == 0 {
			t.Fatalf("claimed after: %+v; want the retrying one (attempt 2) and the one whose lease ran out", again)
		}
	})

	t.Run("of two outcomes of one delivery in a group the first is recorded", func(t *testing.T) {
		h := newHarness(t)
		now := time.Now().Add(time.Second)
		ds := claimed(t, h, now, "a", "a")
		at := now.Truncate(time.Millisecond)
		delivered := delivery.Outcome{State: delivery.Delivered, AttemptedAt: at, StatusCode: 204}
		retrying := delivery.Outcome{State: delivery.Retrying, AttemptedAt: at, StatusCode: 500, NextAttempt: at.Add(time.Hour)}
		group := []delivery.Recorded{{Delivery: ds[0], Outcome: delivered}, {Delivery: ds[0], Outcome: retrying},
			{Delivery: ds[1], Outcome: delivered}}
		stale, err := h.Commit(t, group)
		if err != nil || len(stale) != 3 || stale[0] || !stale[1] || stale[2] {
			t.Fatalf("stale %v, %v; want only the second", stale, err)
		}
		got, err := h.Queue.Attempts(t.Context(), "a", 10)
		if err != nil || len(got) != 2 || got[0].State != delivery.Delivered || got[1].State != delivery.Delivered {
			t.Fatalf("attempts %+v, %v; want the two deliveries, no retry", got, err)
		}
		if n, err := h.Queue.Depth(t.Context()); err != nil || n != 0 {
			t.Fatalf("depth %d, %v; want 0: both delivered", n, err)
		}
	})

	t.Run("a long group stores every outcome, in order", func(t *testing.T) {
		h := newHarness(t)
		now := time.Now().Add(time.Second)
		const n = 69 // past two statements of SQLite's 32 rows
		ids := make([]string, n)
		for i := range ids {
			ids[i] = "a"
		}
		ds := claimed(t, h, now, ids...)
		at := now.Truncate(time.Millisecond)
		group := make([]delivery.Recorded, n)
		for i, d := range ds {
			group[i] = delivery.Recorded{Delivery: d, Outcome: delivery.Outcome{State: delivery.Delivered, AttemptedAt: at,
				StatusCode: 200 + i%7, Latency: time.Duration(i) * time.Millisecond}}
		}
		const staleAt = 35
		group[staleAt].Delivery.Claim = "another"
		stale, err := h.Commit(t, group)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range stale {
			if s != (i == staleAt) {
				t.Fatalf("stale[%d] = %v; want only %d stale", i, s, staleAt)
			}
		}
		got, err := h.Queue.Attempts(t.Context(), "a", 2*n)
		if err != nil || len(got) != n-1 {
			t.Fatalf("%d attempts, %v; want %d", len(got), err, n-1)
		}
		// Newest first: the last outcome of the group is the first attempt listed.
		want := n - 1
		for _, a := range got {
			if want == staleAt {
				want--
			}
			if a.EventID != ds[want].EventID || a.StatusCode != 200+want%7 || a.Latency != time.Duration(want)*time.Millisecond {
				t.Fatalf("attempt %+v; want outcome %d's (event %s)", a, want, ds[want].EventID)
			}
			want--
		}
		if d, err := h.Queue.Depth(t.Context()); err != nil || d != 1 {
			t.Fatalf("depth %d, %v; want 1: the stale one, still leased", d, err)
		}
	})
}
