package coord

import (
	"testing"
	"time"
)

func TestSessionFilterPage(t *testing.T) {
	for _, c := range []struct {
		limit, wantLimit int
		before, wantID   int64
	}{
		{0, DefaultPageSize, 0, 0}, {-1, DefaultPageSize, -5, 0}, {1, 1, 7, 7},
		{MaxPageSize, MaxPageSize, 0, 0}, {MaxPageSize + 1, MaxPageSize, 0, 0},
	} {
		got := SessionFilter{UserID: "u", Limit: c.limit, BeforeID: c.before}.Page()
		if got.Limit != c.wantLimit || got.BeforeID != c.wantID || got.UserID != "u" {
			t.Errorf("Page(limit %d, before %d) = %+v", c.limit, c.before, got)
		}
	}
}

func TestStoreConfigDefaults(t *testing.T) {
	got := StoreConfig{}.WithDefaults()
	if got.Clock == nil || got.PendingTTL != DefaultPendingTTL {
		t.Errorf("zero config with defaults = %+v", got)
	}
	set := StoreConfig{Clock: SystemClock{}, PendingTTL: time.Minute}.WithDefaults()
	if set.PendingTTL != time.Minute {
		t.Errorf("a configured TTL was replaced: %v", set.PendingTTL)
	}
}
