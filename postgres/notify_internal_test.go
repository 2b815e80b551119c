package postgres

import (
	"slices"
	"testing"
	"time"
)

// recordingNotifier is a notifier whose batches go to a channel.
func recordingNotifier(t *testing.T, linger time.Duration) (*notifier, chan []string) {
	t.Helper()
	batches := make(chan []string, notifyBatch+1)
	n := startNotifier(func(b []string) { batches <- slices.Clone(b) }, linger)
	t.Cleanup(n.close)
	return n, batches
}

// next is the next batch, failing after a while.
func next(t *testing.T, batches chan []string) []string {
	t.Helper()
	select {
	case b := <-batches:
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("no batch")
		return nil
	}
}

// A notification long after the last batch goes at once; those that
// follow within the linger go out together, not one batch each (each
// batch is a statement and a commit).
func TestNotifierLingersAfterABatch(t *testing.T) {
	n, batches := recordingNotifier(t, time.Hour)
	n.send("a")
	if b := next(t, batches); !slices.Equal(b, []string{"a"}) {
		t.Fatalf("first batch %q, want [a]", b)
	}
	for _, note := range []string{"b", "c"} {
		n.send(note)
		time.Sleep(10 * time.Millisecond) // long enough for a send to go out alone
	}
	select {
	case b := <-batches:
		t.Fatalf("batch %q sent within the linger", b)
	default:
	}
	n.close() // what is held goes out on close
	if b := next(t, batches); !slices.Equal(b, []string{"b", "c"}) {
		t.Fatalf("batch %q, want [b c]", b)
	}
}

// A full batch does not wait out the linger.
func TestNotifierSendsFullBatchesAtOnce(t *testing.T) {
	n, batches := recordingNotifier(t, time.Hour)
	n.send("a")
	next(t, batches)
	for i := range notifyBatch + 1 {
		n.send(string(rune('a' + i%26)))
	}
	if b := next(t, batches); len(b) != notifyBatch {
		t.Fatalf("batch of %d, want %d", len(b), notifyBatch)
	}
	n.close()
	if b := next(t, batches); len(b) != 1 {
		t.Fatalf("last batch of %d, want 1", len(b))
	}
}
