package live

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coordapi/coord"
)

// parkAll parks n requests on keys 1..n until deadline, each counting its
// reads in reads and reporting done once changed is set; it returns a
// channel of their answers.
func parkAll(t *testing.T, h *Hub, n int, deadline time.Time, reads *atomic.Int64, changed *atomic.Bool) chan bool {
	t.Helper()
	answers := make(chan bool, n)
	for i := range n {
		check := func(context.Context) (bool, time.Time, error) {
			reads.Add(1)
			return changed.Load(), time.Time{}, nil
		}
		if !h.Park(Key{SessionID: int64(i + 1)}, deadline, check, func(done bool, err error) {
			if err != nil {
				t.Errorf("answer: %v", err)
			}
			answers <- done
		}) {
			t.Fatalf("request %d not parked", i)
		}
	}
	return answers
}

// A change nobody published is found by the safety re-check.
func TestParkedRequestIsReCheckedWithoutANotification(t *testing.T) {
	h := New(100, 50*time.Millisecond, time.Now)
	var reads atomic.Int64
	var changed atomic.Bool
	answers := parkAll(t, h, 1, time.Now().Add(10*time.Second), &reads, &changed)
	time.Sleep(20 * time.Millisecond)
	changed.Store(true) // no Publish
	select {
	case done := <-answers:
		if !done {
			t.Fatal("answered unchanged")
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("not re-checked within 2 s (%d reads)", reads.Load())
	}
	if h.Held() != 0 {
		t.Fatalf("%d still held", h.Held())
	}
}

// The re-check interval is the one of when a re-check comes due: requests
// parked while few were held are not re-read early once many are (here
// 200 held, at most 50 re-checks a second in all: every 4 s each, although
// the hub's own interval is 10 ms).
func TestParkedReChecksStretchWithTheNumberHeld(t *testing.T) {
	h := New(1000, 10*time.Millisecond, time.Now)
	var reads atomic.Int64
	var changed atomic.Bool
	const n = 200
	answers := parkAll(t, h, n, time.Now().Add(time.Minute), &reads, &changed)
	time.Sleep(time.Second)
	if extra := reads.Load() - n; extra > 10 {
		t.Fatalf("%d re-checks in 1 s beyond the %d first reads, want few", extra, n)
	}
	// Publish still wakes each at once.
	changed.Store(true)
	h.Publish(coord.Change{SessionID: 1})
	select {
	case done := <-answers:
		if !done {
			t.Fatal("answered unchanged")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("not woken by its change")
	}
	h.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Drain(ctx); err != nil {
		t.Fatalf("drain: %v", err)
	}
	if h.Held() != 0 {
		t.Fatalf("%d still held after Close", h.Held())
	}
}

// Rechecks are capped at maxRechecks a second across all parked requests,
// however short the hub's interval.
func TestParkedReChecksAreRateLimited(t *testing.T) {
	h := New(1000, time.Millisecond, time.Now)
	var reads atomic.Int64
	var changed atomic.Bool
	const n = 20 // interval max(1 ms, 20/50 s) = 400 ms: 50 re-checks a second in all at most
	_ = parkAll(t, h, n, time.Now().Add(time.Minute), &reads, &changed)
	time.Sleep(time.Second)
	if extra := reads.Load() - n; extra > maxRechecks+10 {
		t.Fatalf("%d re-checks in 1 s, want at most about %d", extra, maxRechecks)
	}
	h.Close()
}
