package delivery

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpproxy"

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
//
// It is built on fasthttp rather than net/http: the sender and the
// receivers of a benchmark share the server's cores, and fasthttp's client
// costs about half of net/http's CPU per request (issue 14).
type Sender struct {
	client    *fasthttp.Client
	timeout   time.Duration
	userAgent string
	maxAnswer int64
	clock     coord.Clock
	tlsConfig *tls.Config
	dial      fasthttp.DialFuncWithTimeout
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

// WithTLSConfig sets the TLS settings of https endpoints (trusted roots,
// versions). Certificates are verified unless the config says otherwise.
func WithTLSConfig(c *tls.Config) SenderOption { return func(s *Sender) { s.tlsConfig = c } }

// WithDial replaces how connections are made, given "host:port" and the
// attempt's time left: for a dialer that keeps deliveries out of internal
// networks. It replaces the proxy of the environment.
func WithDial(dial func(addr string, timeout time.Duration) (net.Conn, error)) SenderOption {
	return func(s *Sender) { s.dial = dial }
}

// maxConnsPerEndpoint bounds the connections to one endpoint (host and
// port): above the attempts in flight a store's PerEndpoint allows
// (PostgreSQL's is 40), so that bursts reuse their connections. An attempt
// beyond it waits for a free connection, within its timeout.
const maxConnsPerEndpoint = 64

// Connections idle longer are closed: shorter than common receivers' own
// keep-alive timeouts (Node's is 5 s), so that a delivery seldom finds its
// connection closed under it.
const maxIdle = 4 * time.Second

// readBuffer bounds an answer's status line and headers.
const readBuffer = 16 << 10

// NewSender returns a Sender that never follows redirects: a 3xx is a
// failed attempt, as the specification asks (the partner should update
// the URL instead). Without WithDial, it dials through the proxy of the
// environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), as net/http does.
func NewSender(opts ...SenderOption) *Sender {
	s := &Sender{
		timeout:   DefaultTimeout,
		userAgent: UserAgent("dev"),
		maxAnswer: DefaultMaxAnswer,
		clock:     coord.SystemClock{},
	}
	for _, opt := range opts {
		opt(s)
	}
	s.client = &fasthttp.Client{
		MaxConnsPerHost:     maxConnsPerEndpoint,
		MaxConnWaitTimeout:  s.timeout,
		MaxIdleConnDuration: maxIdle,
		ReadBufferSize:      readBuffer,
		TLSConfig:           s.tlsConfig,
		DialTimeout:         s.dial,
		DialDualStack:       true,
		// The answer's body is read a little, never whole (see Send).
		StreamResponseBody: true,
		// Partners' URLs are sent as they are written.
		DisablePathNormalizing:   true,
		NoDefaultUserAgentHeader: true,
		RetryIfErr:               retryIfClosed,
	}
	s.client.ConfigureClient = func(hc *fasthttp.HostClient) error {
		// Errors must not quote the answer (nor anything of the request).
		hc.SecureErrorLogMessage = true
		if s.dial != nil || !proxyInEnvironment() {
			return nil // fasthttp's own dialler, bounded by the attempt's time left
		}
		return proxyFromEnvironment(hc)
	}
	return s
}

// proxyFromEnvironment dials an endpoint through the proxy HTTP_PROXY or
// HTTPS_PROXY names (NO_PROXY and loopback hosts excepted, as net/http does).
func proxyFromEnvironment(hc *fasthttp.HostClient) error {
	d := &fasthttpproxy.Dialer{DialDualStack: true, Timeout: DefaultTimeout, ConnectTimeout: DefaultTimeout}
	dial, err := d.GetDialFuncForTLS(true, hc.IsTLS)
	if err != nil {
		return err
	}
	hc.DialTimeout = nil
	hc.Dial = dial
	return nil
}

func proxyInEnvironment() bool {
	for _, v := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"} {
		if os.Getenv(v) != "" {
			return true
		}
	}
	return false
}

// retryIfClosed makes an attempt again, once, on a fresh connection when
// a kept-alive one turned out closed before any answer: net/http does the
// same for a connection the server closed while idle. (A receiver that
// took the delivery and then hung up sees it twice, which at-least-once
// delivery and webhook-id allow.)
func retryIfClosed(_ *fasthttp.Request, attempts int, err error) (resetTimeout, retry bool) {
	return false, attempts == 1 && (errors.Is(err, io.EOF) || errors.Is(err, fasthttp.ErrConnectionClosed))
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
// endpoint, with id as webhook-id. ctx's deadline shortens the attempt; an
// attempt under way is not cancelled with ctx (the dispatcher never
// cancels one: cut short, it would only be made again).
func (s *Sender) Send(ctx context.Context, w *coord.Webhook, id string, body []byte) Result {
	at := s.clock.Now()
	res := Result{At: at}
	if err := ctx.Err(); err != nil {
		res.Err = describe(err, s.timeout)
		return res
	}
	deadline := time.Now().Add(s.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(w.URL)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	req.Header.SetUserAgent(s.userAgent)
	req.Header.Set(webhook.HeaderID, id)
	req.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
	req.Header.Set(webhook.HeaderSignature, webhook.Sign(w.Keys, id, at, body))
	req.SetBodyRaw(body)

	start := time.Now()
	err := s.client.DoDeadline(req, resp, deadline)
	res.Latency = time.Since(start)
	if err != nil {
		res.Err = describe(err, s.timeout)
		return res
	}
	// Read a little, so a short answer frees the connection for reuse; a
	// long one is cut off (closing the stream unread drops the connection).
	// The attempt's deadline still bounds the reading.
	if stream := resp.BodyStream(); stream != nil {
		_, _ = io.CopyN(io.Discard, stream, s.maxAnswer)
	}
	_ = resp.CloseBodyStream()
	res.StatusCode = resp.StatusCode()
	if res.StatusCode == fasthttp.StatusTooManyRequests || res.StatusCode == fasthttp.StatusServiceUnavailable {
		res.RetryAfter = retryAfter(string(resp.Header.Peek("Retry-After")), at)
	}
	return res
}

// describe says why an attempt got no answer, in words that hold no part
// of the URL but the host and port (net errors name the address).
func describe(err error, timeout time.Duration) string {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	var netErr net.Error
	var smallBuf *fasthttp.ErrSmallBuffer
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, fasthttp.ErrTimeout) || errors.Is(err, fasthttp.ErrDialTimeout) ||
		errors.Is(err, fasthttp.ErrTLSHandshakeTimeout) || errors.Is(err, fasthttp.ErrNoFreeConns) ||
		(errors.As(err, &netErr) && netErr.Timeout()):
		return fmt.Sprintf("timeout after %s", timeout)
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, fasthttp.ErrConnectionClosed):
		return "connection reset"
	case errors.As(err, &dnsErr):
		return "DNS: " + dnsErr.Err + " (" + dnsErr.Name + ")"
	case errors.As(err, &certErr):
		return "TLS: certificate not trusted"
	case errors.As(err, &recErr) && string(recErr.RecordHeader[:]) == "HTTP/":
		return "TLS: server gave HTTP response to HTTPS client"
	case errors.As(err, &smallBuf):
		return fmt.Sprintf("the answer's headers exceed %d KiB", readBuffer>>10)
	case errors.Is(err, fasthttp.ErrorInvalidURI), errors.Is(err, fasthttp.ErrHostClientRedirectToDifferentScheme):
		return "bad URL" // the catalog validated it; never print it, it may hold a token
	}
	return err.Error()
}
