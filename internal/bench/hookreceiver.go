package bench

import (
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/coordapi/coord/coordclient/webhook"
)

// hookReceiver is the webhook endpoint of the webhooks scenario, in the
// load generator: it verifies each delivery as a partner would, answers
// 204 (or 410 while gone), and records when each event arrived relative
// to its commit (created_at).
//
// It shares the server's cores, so it is made cheap: a fasthttp server
// (about half net/http's CPU per request), a secret decoded once, and of
// the body only created_at decoded.
type hookReceiver struct {
	URL      string // without the path: the catalog adds one
	secret   string
	verifier webhook.Verifier
	srv      *fasthttp.Server
	gone     atomic.Bool

	mu       sync.Mutex
	lags     []time.Duration
	first    time.Time
	last     time.Time
	accepted int
	invalid  int
}

func newHookReceiver() (*hookReceiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	secret := webhook.NewSecret()
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		ln.Close()
		return nil, err
	}
	h := &hookReceiver{URL: "http://" + ln.Addr().String(), secret: secret,
		verifier: webhook.Verifier{Keys: [][]byte{key}}}
	h.srv = &fasthttp.Server{Handler: h.serve, ReadTimeout: 5 * time.Second, NoDefaultServerHeader: true,
		NoDefaultContentType: true, NoDefaultDate: true}
	go func() { _ = h.srv.Serve(ln) }()
	return h, nil
}

func (h *hookReceiver) Close() error { return h.srv.Shutdown() }

func (h *hookReceiver) serve(ctx *fasthttp.RequestCtx) {
	body := ctx.PostBody()
	now := time.Now()
	if h.gone.Load() {
		ctx.SetStatusCode(http.StatusGone)
		return
	}
	hd := &ctx.Request.Header
	err := h.verifier.VerifySignatureValues(string(hd.Peek(webhook.HeaderID)), string(hd.Peek(webhook.HeaderTimestamp)),
		string(hd.Peek(webhook.HeaderSignature)), body)
	// Of the event, only its commit's time: decoding the whole model is a
	// partner's work, not the server's, and it would take these cores.
	var e struct {
		CreatedAt time.Time `json:"created_at"`
	}
	if err == nil {
		err = json.Unmarshal(body, &e)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.invalid++
		ctx.SetStatusCode(http.StatusUnauthorized)
		return
	}
	if h.accepted == 0 {
		h.first = now
	}
	h.accepted++
	h.last = now
	if at := e.CreatedAt; !at.IsZero() {
		h.lags = append(h.lags, now.Sub(at))
	}
	ctx.SetStatusCode(http.StatusNoContent)
}

// reset forgets what was received.
func (h *hookReceiver) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lags, h.accepted, h.invalid, h.first, h.last = nil, 0, 0, time.Time{}, time.Time{}
}

// settle waits until nothing arrived for quiet (or until max), and returns
// how many were accepted, from the first to the last arrival.
func (h *hookReceiver) settle(quiet, most time.Duration) (n int, span time.Duration) {
	deadline := time.Now().Add(most)
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		h.mu.Lock()
		last, count := h.last, h.accepted
		h.mu.Unlock()
		if count > 0 && time.Since(last) > quiet {
			break
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.accepted, h.last.Sub(h.first)
}

// lagQuantiles are the commit-to-receiver lag's p50 and p99 so far.
func (h *hookReceiver) lagQuantiles() (p50, p99 time.Duration, n, invalid int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	sorted := slices.Clone(h.lags)
	slices.Sort(sorted)
	return quantile(sorted, 0.5), quantile(sorted, 0.99), len(sorted), h.invalid
}
