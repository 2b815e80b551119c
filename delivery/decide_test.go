package delivery_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord/delivery"
)

func TestTheDefaultScheduleIsTheSpecifications(t *testing.T) {
	var total time.Duration
	for _, d := range delivery.DefaultSchedule {
		total += d
	}
	// Standard Webhooks, "Deliverability and reliability": the last attempt at 75:35:05.
	if want := 75*time.Hour + 35*time.Minute + 5*time.Second; total != want || delivery.DefaultSchedule.Attempts() != 10 {
		t.Fatalf("the schedule spans %v over %d attempts, want %v over 10", total, delivery.DefaultSchedule.Attempts(), want)
	}
	scaled := delivery.DefaultSchedule.Scale(0.001)
	if scaled[0] != 5*time.Millisecond || scaled[8] != 86400*time.Millisecond || delivery.DefaultSchedule[0] != 5*time.Second {
		t.Fatalf("scaled %v (the default must stay unchanged)", scaled)
	}
}

func TestDecideFollowsTheScheduleToTheEnd(t *testing.T) {
	at := time.Unix(1_800_000_000, 0)
	res := delivery.Result{At: at, StatusCode: 500, Latency: time.Second}
	for n := 1; n <= 9; n++ {
		o := delivery.Decide(res, n, delivery.DefaultSchedule)
		if want := at.Add(time.Second + delivery.DefaultSchedule[n-1]); o.State != delivery.Retrying || !o.NextAttempt.Equal(want) {
			t.Fatalf("attempt %d: %+v, want a retry at %v", n, o, want)
		}
		if o.Error != "HTTP 500" || o.StatusCode != 500 || o.Latency != time.Second || !o.AttemptedAt.Equal(at) {
			t.Fatalf("attempt %d: %+v", n, o)
		}
	}
	if o := delivery.Decide(res, 10, delivery.DefaultSchedule); o.State != delivery.Failed || !o.NextAttempt.IsZero() ||
		!strings.Contains(o.Error, "no attempts left after 10") {
		t.Fatalf("the last attempt: %+v", o)
	}
	if o := delivery.Decide(delivery.Result{At: at, StatusCode: 200}, 10, delivery.DefaultSchedule); o.State != delivery.Delivered {
		t.Fatalf("a 200 at the last attempt: %+v", o)
	}
	if o := delivery.Decide(delivery.Result{At: at, Err: "connection refused"}, 1, delivery.DefaultSchedule); o.State != delivery.Retrying || o.Error != "connection refused" {
		t.Fatalf("no answer: %+v", o)
	}
	if o := delivery.Decide(delivery.Result{At: at, StatusCode: 308}, 1, delivery.DefaultSchedule); o.State != delivery.Retrying || !strings.Contains(o.Error, "redirects are not followed") {
		t.Fatalf("a redirect: %+v", o)
	}
	if o := delivery.Decide(delivery.Result{At: at, StatusCode: 410}, 3, delivery.DefaultSchedule); o.State != delivery.Disabled {
		t.Fatalf("410: %+v", o)
	}
}

func TestDecideHonoursRetryAfterAsALowerBound(t *testing.T) {
	at := time.Unix(1_800_000_000, 0)
	cases := []struct {
		name       string
		retryAfter time.Duration
		n          int
		wait       time.Duration
	}{
		{"longer than the schedule", 2 * time.Minute, 1, 2 * time.Minute},
		{"shorter than the schedule", 10 * time.Second, 3, 30 * time.Minute},
	}
	for _, c := range cases {
		o := delivery.Decide(delivery.Result{At: at, StatusCode: 429, RetryAfter: c.retryAfter}, c.n, delivery.DefaultSchedule)
		if o.State != delivery.Retrying || !o.NextAttempt.Equal(at.Add(c.wait)) {
			t.Errorf("%s: %+v, want a retry after %v", c.name, o, c.wait)
		}
	}
}
