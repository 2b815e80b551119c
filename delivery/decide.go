package delivery

import (
	"fmt"
	"net/http"
)

// Decide classifies attempt number n's result: any 2xx is delivered; 410
// Gone disables the endpoint; anything else is retried by the schedule —
// no sooner than a 429 or 503 answer's Retry-After — and failed after
// the schedule's last attempt.
func Decide(res Result, n int, sched Schedule) Outcome {
	o := Outcome{AttemptedAt: res.At, StatusCode: res.StatusCode, Latency: res.Latency, Error: res.Err}
	switch code := res.StatusCode; {
	case code >= 200 && code <= 299:
		o.State, o.Error = Delivered, ""
		return o
	case code == http.StatusGone:
		o.State, o.Error = Disabled, "HTTP 410: the endpoint asked for no more deliveries"
		return o
	case code >= 300 && code <= 399:
		o.Error = fmt.Sprintf("HTTP %d (redirects are not followed: update the webhook's URL)", code)
	case code != 0:
		o.Error = fmt.Sprintf("HTTP %d", code)
	}
	delay, ok := sched.after(n)
	if !ok {
		o.State = Failed
		o.Error += fmt.Sprintf("; no attempts left after %d", n)
		return o
	}
	o.State = Retrying
	o.NextAttempt = res.At.Add(res.Latency).Add(max(delay, res.RetryAfter)) // from the end of the attempt
	return o
}
