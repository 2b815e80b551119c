package coordclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Retry says how a Client retries a request that failed in a way a later
// attempt can fix: the server was unreachable or restarting (connection
// refused or reset, 502, 503, 504) or asked to slow down (429).
//
// A request the server may have acted on is retried only when repeating it
// cannot act twice: GET and PUT (every PUT of this API is idempotent), and a
// POST that carries an Idempotency-Key, which StartSession always sends. A
// 429 or a refused connection means the server did not act, so any request
// is retried then.
type Retry struct {
	// Max is how many times a request is retried after its first attempt;
	// 0 turns retrying off.
	Max int
	// MinDelay is the wait before the first retry; it doubles with each
	// retry, up to MaxDelay. Each wait is drawn at random between half of
	// it and all of it (jitter), so that clients do not retry in step.
	MinDelay time.Duration
	// MaxDelay caps one wait, and the Retry-After the client honours: a
	// server asking for a longer pause gets its answer returned instead.
	MaxDelay time.Duration
}

// DefaultRetry is what New uses unless WithRetry says otherwise: up to 3
// retries, 250 ms then 500 ms then 1 s (before jitter), Retry-After honoured
// up to 10 s. The call's context and WithTimeout bound them all.
var DefaultRetry = Retry{Max: 3, MinDelay: 250 * time.Millisecond, MaxDelay: 10 * time.Second}

// backoff is the wait before retry n (0-based), with jitter.
func (r Retry) backoff(n int) time.Duration {
	d := r.MinDelay
	for range n {
		if d >= r.MaxDelay/2 {
			d = r.MaxDelay
			break
		}
		d *= 2
	}
	d = min(d, r.MaxDelay)
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// wait is how long to pause before retry n after res (nil after a
// transport error), and whether to retry at all: a Retry-After longer than
// MaxDelay, or a pause that would outlast the context, ends the retries.
func (r Retry) wait(ctx context.Context, n int, res *http.Response) (time.Duration, bool) {
	if n >= r.Max {
		return 0, false
	}
	d := r.backoff(n)
	if res != nil {
		if after, ok := retryAfter(res.Header.Get("Retry-After"), time.Now()); ok {
			if after > r.MaxDelay {
				return 0, false
			}
			d = max(d, after)
		}
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return 0, false
	}
	return d, true
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// retryable reports whether the outcome of one attempt of req is worth
// another attempt (see Retry for the rules).
func retryable(req *http.Request, res *http.Response, err error) bool {
	if req.Context().Err() != nil {
		return false
	}
	if err != nil {
		return !untrusted(err) && (refused(err) || replaySafe(req))
	}
	switch res.StatusCode {
	case http.StatusTooManyRequests:
		return true
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return replaySafe(req)
	}
	return false
}

// refused reports whether err is a failure to connect at all: the request
// never reached a server.
func refused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// untrusted reports whether err is the server's certificate failing
// verification, which no retry changes.
func untrusted(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid)
}

// replaySafe reports whether sending req twice has the effect of sending it once.
func replaySafe(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return req.Header.Get("Idempotency-Key") != ""
}
