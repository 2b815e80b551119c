package coordclient

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"
)

// transport is the http.RoundTripper under every request of a Client: it
// names the SDK in User-Agent, retries what Retry allows, and notes the
// server's request id for the error of the call.
type transport struct {
	next      http.RoundTripper
	retry     Retry
	userAgent string
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context()) // a RoundTripper must not modify the caller's request
	req.Header.Set("User-Agent", t.userAgent)
	if err := rewindable(req); err != nil {
		return nil, err
	}
	for n := 0; ; n++ {
		res, err := t.next.RoundTrip(req)
		if res != nil {
			noteRequestID(req.Context(), res.Header.Get("X-Request-Id"))
		}
		if !retryable(req, res, err) {
			return res, err
		}
		d, again := t.retry.wait(req.Context(), n, res)
		if !again {
			return res, err
		}
		if res != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // lets the connection be reused
			res.Body.Close()
		}
		if err := sleep(req.Context(), d); err != nil {
			return nil, err
		}
		if req, err = rewind(req); err != nil {
			return nil, err
		}
	}
}

// rewindable makes sure req's body can be sent again. The API's bodies are
// small JSON documents, so buffering one costs little.
func rewindable(req *http.Request) error {
	if req.Body == nil || req.Body == http.NoBody || req.GetBody != nil {
		return nil
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return err
	}
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.Body, _ = req.GetBody()
	return nil
}

// rewind is req ready for another attempt, with its body from the start.
func rewind(req *http.Request) (*http.Request, error) {
	again := req.Clone(req.Context())
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		again.Body = body
	}
	return again, nil
}

// sleep waits d, or less when ctx ends first (ctx.Err returned).
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
