package delivery

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Schedule is the delay before each retry: Schedule[0] after the first
// attempt fails, and so on; after len(Schedule)+1 attempts the delivery
// has failed.
type Schedule []time.Duration

// DefaultSchedule is the Standard Webhooks example schedule: ten attempts
// over about three days.
var DefaultSchedule = Schedule{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
	10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour,
}

// Scale multiplies every delay by factor (0.001 turns three days into
// about four minutes), for tests and demonstrations.
func (s Schedule) Scale(factor float64) Schedule {
	scaled := make(Schedule, len(s))
	for i, d := range s {
		scaled[i] = time.Duration(float64(d) * factor)
	}
	return scaled
}

// Attempts is how many attempts a delivery gets in all.
func (s Schedule) Attempts() int { return len(s) + 1 }

// after returns the delay following failed attempt n (1-based), or false
// when n was the last.
func (s Schedule) after(n int) (time.Duration, bool) {
	if n < 1 || n > len(s) {
		return 0, false
	}
	return s[n-1], true
}

// MaxRetryAfter bounds what a receiver's Retry-After can ask for.
const MaxRetryAfter = 24 * time.Hour

// retryAfter reads a Retry-After header's value, delay-seconds or an HTTP
// date, relative to now; 0 when absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		d = at.Sub(now)
	}
	return min(max(d, 0), MaxRetryAfter)
}
