package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/coordclient/webhook"
)

// Defaults of a Sender.
const (
	DefaultTimeout   = 15 * time.Second // the specification recommends 15 to 30 s
	DefaultMaxAnswer = 4 << 10          // bytes of an answer's body read, at most
)

// UserAgent names the server and its version in every delivery.
func UserAgent(version string) string {
	return "coord-users-server/" + version + " (+https://www.standardwebhooks.com)"
}

// Sender makes single attempts: one signed POST, its answer read (a
// little of it) and reported. It is safe for concurrent use.
type Sender struct {
	client    *http.Client
	timeout   time.Duration
	userAgent string
	maxAnswer int64
	clock     coord.Clock
}

// SenderOption changes a Sender's default.
type SenderOption func(*Sender)

// WithTimeout bounds each attempt, from dialling to reading the answer.
func WithTimeout(d time.Duration) SenderOption { return func(s *Sender) { s.timeout = d } }

// WithUserAgent sets the User-Agent header (see UserAgent).
func WithUserAgent(ua string) SenderOption { return func(s *Sender) { s.userAgent = ua } }

// WithMaxAnswer bounds how much of an answer's body is read.
func WithMaxAnswer(n int64) SenderOption { return func(s *Sender) { s.maxAnswer = n } }

// WithClock sets the clock that stamps webhook-timestamp.
func WithClock(c coord.Clock) SenderOption { return func(s *Sender) { s.clock = c } }

// WithTransport replaces the HTTP transport (for TLS settings or a proxy
// that keeps deliveries out of internal networks).
func WithTransport(rt http.RoundTripper) SenderOption {
	return func(s *Sender) { s.client.Transport = rt }
}

// maxIdlePerEndpoint is how many kept-alive connections to one endpoint
// the sender keeps: at least the attempts in flight a store's PerEndpoint
// allows (PostgreSQL's is 40), or every burst beyond the number kept closes
// the rest after their answer and dials them again for the next.
const maxIdlePerEndpoint = 64

// NewSender returns a Sender that never follows redirects: a 3xx is a
// failed attempt, as the specification asks (the partner should update
// the URL instead).
func NewSender(opts ...SenderOption) *Sender {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = maxIdlePerEndpoint
	s := &Sender{
		client: &http.Client{
			Transport:     transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		timeout:   DefaultTimeout,
		userAgent: UserAgent("dev"),
		maxAnswer: DefaultMaxAnswer,
		clock:     coord.SystemClock{},
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Timeout is the per-attempt timeout.
func (s *Sender) Timeout() time.Duration { return s.timeout }

// Result is what one attempt saw.
type Result struct {
	At         time.Time
	StatusCode int           // 0: no answer (Err says why)
	Err        string        // no answer: timeout, refused, reset, TLS…; never the URL's path or query
	Latency    time.Duration // until the answer's status line, or the error
	RetryAfter time.Duration // from a 429 or 503 answer's Retry-After
}

// Send POSTs body to the endpoint once, signed with every key of the
// endpoint, with id as webhook-id.
func (s *Sender) Send(ctx context.Context, w *coord.Webhook, id string, body []byte) Result {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	at := s.clock.Now()
	res := Result{At: at}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		res.Err = "bad URL" // the catalog validated it; never print it, it may hold a token
		return res
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.userAgent)
	webhook.SetHeaders(req.Header, w.Keys, id, at, body)

	start := time.Now()
	resp, err := s.client.Do(req)
	res.Latency = time.Since(start)
	if err != nil {
		res.Err = describe(err, s.timeout)
		return res
	}
	defer resp.Body.Close()
	// Read a little, so a short answer frees the connection for reuse; a
	// long one is cut off (closing the body drops the connection).
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, s.maxAnswer))
	res.StatusCode = resp.StatusCode
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		res.RetryAfter = retryAfter(resp.Header, at)
	}
	return res
}

// describe says why an attempt got no answer, in words that hold no part
// of the URL but the host and port (net errors name the address).
func describe(err error, timeout time.Duration) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Sprintf("timeout after %s", timeout)
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection reset"
	case errors.As(err, &dnsErr):
		return "DNS: " + dnsErr.Err + " (" + dnsErr.Name + ")"
	case errors.As(err, &certErr):
		return "TLS: certificate not trusted"
	}
	return err.Error()
}
