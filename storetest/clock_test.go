package storetest

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	c := NewClock()
	if !c.Now().Equal(Epoch) {
		t.Fatalf("Now = %v, want %v", c.Now(), Epoch)
	}
	c.Advance(90 * time.Second)
	if got := c.Now().Sub(Epoch); got != 90*time.Second {
		t.Fatalf("advanced %v, want 90s", got)
	}
	if Epoch.Nanosecond()%int(time.Millisecond) == 0 {
		t.Fatal("Epoch must have sub-millisecond digits to catch untruncated times")
	}
}
