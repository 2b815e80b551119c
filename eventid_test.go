package coord_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/coordapi/coord"
)

func TestEventIDsSortByTimeAndStayUnique(t *testing.T) {
	shape := regexp.MustCompile(`^evt_[2-7a-z]{26}$`)
	at := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	prev := ""
	for i := range 2000 {
		id := coord.NewEventID(at.Add(time.Duration(i/10) * time.Millisecond)) // ten per millisecond
		if !shape.MatchString(id) {
			t.Fatalf("%q: not evt_ and 26 of [2-7a-z]", id)
		}
		if seen[id] {
			t.Fatalf("%q twice", id)
		}
		seen[id] = true
		if i%10 == 0 && id < prev {
			t.Fatalf("%q, a millisecond later, sorts before %q", id, prev)
		}
		prev = id
	}
	if a, b := coord.NewEventID(at), coord.NewEventID(at.Add(time.Millisecond)); a[:14] >= b[:14] {
		t.Fatalf("time prefixes %q, %q do not sort", a[:14], b[:14])
	}
}
