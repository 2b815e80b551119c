package delivery_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/coordclient/webhook"
	"github.com/coordapi/coord/delivery"
)

var (
	secret = webhook.NewSecret()
	body   = []byte(`{"id":"evt_1","seq":1,"type":"session.started","created_at":"2026-01-01T00:00:00.000Z","test":true,"data":{}}`)
)

// endpoint is a catalog webhook pointing at url, signing with secret.
func endpoint(t *testing.T, id, url string) *coord.Webhook {
	t.Helper()
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	return &coord.Webhook{ID: id, URL: url, Keys: [][]byte{key}}
}

// receiver serves h on a loopback port for the test's duration.
func receiver(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func send(t *testing.T, s *delivery.Sender, url string) delivery.Result {
	t.Helper()
	return s.Send(context.Background(), endpoint(t, "hook", url), "evt_1", body)
}

func TestSendPostsTheSignedEventAndNamesTheServer(t *testing.T) {
	var seen *http.Request
	var got []byte
	srv := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		seen, got = r, must(io.ReadAll(r.Body))
		if _, err := webhook.Verify([]string{secret}, r.Header, got); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	res := send(t, delivery.NewSender(delivery.WithUserAgent(delivery.UserAgent("1.2.3"))), srv.URL+"/hook")
	if res.StatusCode != http.StatusNoContent || res.Err != "" {
		t.Fatalf("result %+v", res)
	}
	if seen.Method != http.MethodPost || seen.URL.Path != "/hook" || string(got) != string(body) ||
		seen.Header.Get("Content-Type") != "application/json" || seen.Header.Get(webhook.HeaderID) != "evt_1" {
		t.Fatalf("request %s %s %q %v", seen.Method, seen.URL, got, seen.Header)
	}
	if ua := seen.Header.Get("User-Agent"); !strings.HasPrefix(ua, "coord-users-server/1.2.3") {
		t.Fatalf("User-Agent %q", ua)
	}
	if o := delivery.Decide(res, 1, delivery.DefaultSchedule); o.State != delivery.Delivered || o.Error != "" {
		t.Fatalf("outcome %+v", o)
	}
}

func TestSendReportsReceiversThatMisbehave(t *testing.T) {
	other := atomic.Int32{}
	target := receiver(t, func(http.ResponseWriter, *http.Request) { other.Add(1) })
	cases := []struct {
		name    string
		handler http.HandlerFunc
		status  int
		err     string // part of Result.Err
		state   delivery.State
	}{
		{"answers 500", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", 500) }, 500, "", delivery.Retrying},
		{"hangs past the timeout", hang, 0, "timeout after 200ms", delivery.Retrying},
		{"resets the connection", reset, 0, "connection reset", delivery.Retrying},
		{"redirects", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, target.URL, http.StatusFound) }, 302, "", delivery.Retrying},
		{"answers 410", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) }, 410, "", delivery.Disabled},
		{"answers 202", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) }, 202, "", delivery.Delivered},
		{"answers 200 with an endless body", endless(200), 200, "", delivery.Delivered},
		{"answers 500 with an endless body", endless(500), 500, "", delivery.Retrying},
		{"answers headers too large", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Large", strings.Repeat("x", 20<<10))
			w.WriteHeader(http.StatusNoContent)
		}, 0, "the answer's headers exceed 16 KiB", delivery.Retrying},
	}
	s := delivery.NewSender(delivery.WithTimeout(200 * time.Millisecond))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := receiver(t, c.handler)
			start := time.Now()
			res := send(t, s, srv.URL+"/hook?token=partner-secret-in-query")
			if took := time.Since(start); took > 2*time.Second {
				t.Fatalf("the attempt took %v, more than the timeout allows", took)
			}
			if res.StatusCode != c.status || !strings.Contains(res.Err, c.err) || (c.err == "" && res.Err != "") {
				t.Fatalf("result %+v, want status %d and error %q", res, c.status, c.err)
			}
			o := delivery.Decide(res, 1, delivery.DefaultSchedule)
			if o.State != c.state {
				t.Fatalf("outcome %+v, want %s", o, c.state)
			}
			if strings.Contains(o.Error, "partner-secret-in-query") || strings.Contains(o.Error, "/hook") {
				t.Fatalf("the error names the URL's path or query: %q", o.Error)
			}
		})
	}
	if n := other.Load(); n != 0 {
		t.Fatalf("a redirect was followed %d times", n)
	}
}

func TestSendReportsARefusedConnection(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	res := send(t, delivery.NewSender(), "http://"+addr+"/hook")
	if res.StatusCode != 0 || res.Err != "connection refused" {
		t.Fatalf("result %+v", res)
	}
}

func TestSendReadsOnlyAFewKiBOfTheAnswer(t *testing.T) {
	var written atomic.Int64
	srv := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		chunk := make([]byte, 1<<10)
		for r.Context().Err() == nil {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
			w.(http.Flusher).Flush()
			time.Sleep(time.Millisecond) // a slow stream: what was sent is what was read
		}
	})
	start := time.Now()
	res := send(t, delivery.NewSender(delivery.WithTimeout(5*time.Second)), srv.URL)
	if res.StatusCode != 200 || time.Since(start) > 2*time.Second {
		t.Fatalf("result %+v after %v", res, time.Since(start))
	}
	time.Sleep(50 * time.Millisecond)
	if n := written.Load(); n > 64<<10 {
		t.Fatalf("the receiver wrote %d bytes before the sender hung up", n)
	}
}

// hang never answers. (The body is read first: only then does the server
// notice the client hanging up, and cancel r.Context.)
func hang(_ http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}

// reset closes the connection with RST instead of answering.
func reset(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	conn.(*net.TCPConn).SetLinger(0)
	conn.Close()
}

// endless answers status with a body that never ends.
func endless(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		chunk := make([]byte, 32<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestSendReadsRetryAfterOn429And503Only(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s := delivery.NewSender(delivery.WithClock(fixedClock(now)))
	cases := []struct {
		status     int
		retryAfter string
		want       time.Duration
	}{
		{429, "120", 2 * time.Minute},
		{503, now.Add(time.Hour).Format(http.TimeFormat), time.Hour},
		{503, now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{429, "9999999999", delivery.MaxRetryAfter},
		{429, "soon", 0},
		{429, "-5", 0},
		{500, "120", 0},
		{502, "120", 0},
	}
	for _, c := range cases {
		srv := receiver(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", c.retryAfter)
			w.WriteHeader(c.status)
		})
		if res := send(t, s, srv.URL); res.StatusCode != c.status || res.RetryAfter != c.want {
			t.Errorf("%d with Retry-After %q: %+v, want %v", c.status, c.retryAfter, res, c.want)
		}
	}
}

// fixedClock always says the same time.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

func TestSendNamesTLSAndDNSFailuresPlainly(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	plain := receiver(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	s := delivery.NewSender(delivery.WithTimeout(2 * time.Second))
	if res := send(t, s, tlsSrv.URL); res.Err != "TLS: certificate not trusted" {
		t.Errorf("a self-signed certificate: %+v", res)
	}
	if res := send(t, s, strings.Replace(plain.URL, "http://", "https://", 1)); !strings.Contains(res.Err, "server gave HTTP response to HTTPS client") {
		t.Errorf("https to a plain HTTP port: %+v", res)
	}
	// A dialler of one's own (here, one whose resolver knows no host).
	noDNS := func(string, time.Duration) (net.Conn, error) {
		return nil, &net.DNSError{Err: "no such host", Name: "hooks.example.invalid", IsNotFound: true}
	}
	if res := send(t, delivery.NewSender(delivery.WithDial(noDNS)), "https://hooks.example.invalid/h?token=x"); res.Err != "DNS: no such host (hooks.example.invalid)" {
		t.Errorf("an unknown host: %+v", res)
	}
	// A trusted certificate is delivered: the TLS settings are the sender's.
	trusted := delivery.NewSender(delivery.WithTLSConfig(tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig))
	if res := send(t, trusted, tlsSrv.URL); res.StatusCode != http.StatusNotFound {
		t.Errorf("a trusted certificate: %+v", res)
	}
}

// Bursts of 40 attempts at once, PostgreSQL's PerEndpoint, reuse their
// connections: the sender keeps enough of them idle.
func TestBurstsToOneEndpointReuseTheirConnections(t *testing.T) {
	var conns atomic.Int32
	release := make(chan struct{})
	var arrived sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		arrived.Done()
		<-release
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	s := delivery.NewSender()
	w := endpoint(t, "hook", srv.URL)
	for range 2 {
		release = make(chan struct{})
		arrived.Add(40)
		var done sync.WaitGroup
		for range 40 {
			done.Go(func() {
				if res := s.Send(t.Context(), w, "evt_1", body); res.StatusCode != http.StatusNoContent {
					t.Errorf("send: %+v", res)
				}
			})
		}
		arrived.Wait() // all 40 in flight at once
		close(release)
		done.Wait()
	}
	if n := conns.Load(); n > 40 {
		t.Fatalf("%d connections for two bursts of 40: the second dialled again", n)
	}
}

// countingReceiver serves h and counts the connections made to it.
func countingReceiver(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func TestSequentialSendsKeepOneConnectionAlive(t *testing.T) {
	srv, conns := countingReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Query().Has("short") {
			_, _ = w.Write([]byte(`{"ok":true}`)) // a short answer, read whole
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	s := delivery.NewSender()
	for i := range 200 {
		url := srv.URL + "/hook"
		if i%2 == 1 {
			url += "?short=1"
		}
		if res := send(t, s, url); res.Err != "" || res.StatusCode/100 != 2 {
			t.Fatalf("send %d: %+v", i, res)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("200 sequential sends made %d connections, want 1", n)
	}
}

// An answer too long to read is cut off with its connection, which is
// not reused half-read: the next attempt is answered on a new one.
func TestALongAnswerDoesNotPoisonThePool(t *testing.T) {
	srv, conns := countingReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Query().Has("long") {
			w.Header().Set("Content-Length", "1048576")
			_, _ = w.Write(make([]byte, 1<<20))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	s := delivery.NewSender()
	for i, path := range []string{"/", "/?long=1", "/", "/?long=1", "/"} {
		want := http.StatusNoContent
		if strings.Contains(path, "long") {
			want = http.StatusOK
		}
		if res := send(t, s, srv.URL+path); res.StatusCode != want || res.Err != "" {
			t.Fatalf("send %d (%s): %+v", i, path, res)
		}
	}
	if n := conns.Load(); n != 3 {
		t.Fatalf("%d connections, want 3 (one more after each long answer)", n)
	}
}

// A kept-alive connection the receiver closed while idle is dialled again,
// not reported as a failed attempt (net/http does the same).
func TestAConnectionClosedWhileIdleIsDialledAgain(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.IdleTimeout = 20 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	s := delivery.NewSender()
	for i := range 3 {
		if res := send(t, s, srv.URL); res.StatusCode != http.StatusNoContent {
			t.Fatalf("send %d: %+v", i, res)
		}
		time.Sleep(100 * time.Millisecond) // the receiver closes the idle connection
	}
}

// HTTP_PROXY is honoured as net/http honours it: the endpoint is reached
// through the proxy (a CONNECT tunnel).
func TestSendGoesThroughTheProxyOfTheEnvironment(t *testing.T) {
	target := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	})
	var tunnels atomic.Int32
	proxy := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect || r.Host != "hooks.example.test:80" {
			http.Error(w, "unexpected "+r.Method+" "+r.Host, http.StatusBadGateway)
			return
		}
		tunnels.Add(1)
		upstream, err := net.Dial("tcp", target.Listener.Addr().String())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
		conn, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			upstream.Close()
			return
		}
		go func() { _, _ = io.Copy(upstream, rw); upstream.Close() }()
		_, _ = io.Copy(conn, upstream)
		conn.Close()
	})
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	res := send(t, delivery.NewSender(delivery.WithTimeout(2*time.Second)), "http://hooks.example.test/hook")
	if res.StatusCode != http.StatusNoContent || tunnels.Load() != 1 {
		t.Fatalf("result %+v, %d tunnels", res, tunnels.Load())
	}
}

// Dialling is part of the attempt: the dialler is given what is left of
// the attempt's timeout, and a dial that runs out is reported as a timeout.
func TestDiallingCountsAgainstTheAttemptsTimeout(t *testing.T) {
	var given atomic.Int64
	slow := func(_ string, timeout time.Duration) (net.Conn, error) {
		given.Store(int64(timeout))
		time.Sleep(timeout)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
	}
	s := delivery.NewSender(delivery.WithTimeout(100*time.Millisecond), delivery.WithDial(slow))
	res := send(t, s, "http://hooks.example.test/hook?token=x")
	if d := time.Duration(given.Load()); d <= 0 || d > 100*time.Millisecond {
		t.Fatalf("the dialler was given %v of a 100ms attempt", d)
	}
	if res.Err != "timeout after 100ms" {
		t.Fatalf("result %+v", res)
	}
}
