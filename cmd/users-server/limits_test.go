package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// trickle opens a connection that sends the start of a request and then
// one header byte every interval, as a slow-loris client does. It returns
// a channel closed when the server closes the connection.
func trickle(t *testing.T, addr string, interval time.Duration) <-chan struct{} {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		buf := make([]byte, 1)
		for {
			if _, err := conn.Read(buf); err != nil {
				return
			}
		}
	}()
	go func() {
		if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "); err != nil {
			return
		}
		for {
			select {
			case <-closed:
				return
			case <-time.After(interval):
				if _, err := conn.Write([]byte("a")); err != nil {
					return
				}
			}
		}
	}()
	return closed
}

func hostOf(url string) string { return strings.TrimPrefix(url, "http://") }

// TestSlowHeadersAreCutOffAtTheHeaderTimeout: 20 clients trickling a byte
// every 100 ms are disconnected once --read-header-timeout is up, not when
// the 30 s read timeout is.
func TestSlowHeadersAreCutOffAtTheHeaderTimeout(t *testing.T) {
	s := startServer(t, []string{"COORD_READ_HEADER_TIMEOUT=1s"})
	start := time.Now()
	var slow []<-chan struct{}
	for range 20 {
		slow = append(slow, trickle(t, hostOf(s.url), 100*time.Millisecond))
	}
	for i, closed := range slow {
		select {
		case <-closed:
		case <-time.After(5*time.Second - time.Since(start)):
			t.Fatalf("slow client %d still connected after %v with a 1 s header timeout", i, time.Since(start).Round(time.Millisecond))
		}
	}
	if took := time.Since(start); took < 900*time.Millisecond {
		t.Fatalf("slow clients cut off after %v, before the header timeout", took)
	}
}

// TestConnectionCapKeepsTheServerAnswering: with --listen-limit 8, 24 slow
// clients hold at most 8 connections; the rest wait to be accepted, and a
// probe is answered once the header timeout frees a slot, instead of the
// server running out of descriptors.
func TestConnectionCapKeepsTheServerAnswering(t *testing.T) {
	s := startServer(t, []string{"COORD_READ_HEADER_TIMEOUT=1s", "COORD_LISTEN_LIMIT=8", "COORD_MAX_WAITERS=4"})
	for range 24 {
		trickle(t, hostOf(s.url), 100*time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // the slow clients are accepted first
	start := time.Now()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(s.url + "/healthz")
	if err != nil {
		t.Fatalf("/healthz behind 24 slow clients: %v", err)
	}
	resp.Body.Close()
	waited := time.Since(start)
	if resp.StatusCode != 200 {
		t.Fatalf("/healthz: %d", resp.StatusCode)
	}
	// Behind the cap the probe waits for a slot (the header timeout frees
	// them); without a cap it would be accepted at once.
	if waited < 300*time.Millisecond || waited > 6*time.Second {
		t.Fatalf("/healthz answered after %v; want it to wait for a slot, then be answered", waited)
	}
	t.Logf("/healthz answered after %v behind 24 slow clients and a cap of 8", waited.Round(time.Millisecond))
}

// TestIdleConnectionsAreClosedAtTheIdleTimeout: a keep-alive connection
// with no next request is closed after --cleanup-timeout.
func TestIdleConnectionsAreClosedAtTheIdleTimeout(t *testing.T) {
	s := startServer(t, []string{"COORD_CLEANUP_TIMEOUT=1s"})
	conn, err := net.Dial("tcp", hostOf(s.url))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := r.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: read %v after %v, want EOF", err, time.Since(start))
	}
	if took := time.Since(start); took < 800*time.Millisecond || took > 3*time.Second {
		t.Fatalf("idle connection closed after %v, want about 1 s", took)
	}
}

// TestHeaderLimitIs64KiBInTheErrorShape: by default a request with more
// than 64 KiB of headers is 431; up to twice that the answer is in the
// Error shape, beyond it net/http answers itself (a known limit).
func TestHeaderLimitIs64KiBInTheErrorShape(t *testing.T) {
	s := startServer(t, nil)
	send := func(headerBytes int) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.url+"/healthz", nil)
		req.Header.Set("X-Big", strings.Repeat("a", headerBytes))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	if status, _, body := send(60 << 10); status != 200 {
		t.Fatalf("60 KiB of headers: %d %s, want 200", status, body)
	}
	for _, size := range []int{65 << 10, 100 << 10, 127 << 10} {
		status, ct, body := send(size)
		var e struct{ Code, Message string }
		if status != 431 || ct != "application/json" || json.Unmarshal([]byte(body), &e) != nil || e.Code == "" {
			t.Errorf("%d KiB of headers: %d %s %q, want 431 in the Error shape", size>>10, status, ct, body)
		}
	}
	if status, _, _ := send(200 << 10); status != 431 {
		t.Errorf("200 KiB of headers: %d, want 431 (net/http's own)", status)
	}
}
