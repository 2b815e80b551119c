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

// Notifications sent one by one within the linger go out in one batch,
// not one batch each: each batch is a statement and a commit.
func TestNotifierLingersForMoreNotifications(t *testing.T) {
	n, batches := recordingNotifier(t, time.Hour)
	for _, note := range []string{"a", "b", "c"} {
		n.send(note)
		time.Sleep(10 * time.Millisecond) // long enough for a send to go out alone
	}
	select {
	case b := <-batches:
		t.Fatalf("batch %q sent within the linger", b)
	default:
	}
	n.close()
	if b := <-batches; !slices.Equal(b, []string{"a", "b", "c"}) {
		t.Fatalf("batch %q, want [a b c]", b)
	}
}

// A full batch does not wait out the linger.
func TestNotifierSendsFullBatchesAtOnce(t *testing.T) {
	n, batches := recordingNotifier(t, time.Hour)
	for i := range notifyBatch + 1 {
		n.send(string(rune('a' + i%26)))
	}
	select {
	case b := <-batches:
		if len(b) != notifyBatch {
			t.Fatalf("first batch of %d, want %d", len(b), notifyBatch)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a full batch waited for the linger")
	}
	n.close() // the rest goes out on close
	if b := <-batches; len(b) != 1 {
		t.Fatalf("second batch of %d, want 1", len(b))
	}
}
