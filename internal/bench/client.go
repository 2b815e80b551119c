package bench

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Conn is one keep-alive HTTP/1.1 connection used by one worker. It writes
// requests by hand and parses responses with net/http: lighter than
// http.Client (no per-connection goroutines or channel hand-offs), so that
// on a small machine the load generator takes as little CPU as possible
// from the server it measures — the same for the server and the baselines.
type Conn struct {
	addr string
	conn net.Conn
	used time.Time // end of the last exchange
	br   *bufio.Reader
	buf  []byte
	body []byte
	// KeepIdle, when set, replaces maxIdle: how long the connection may sit
	// unused before it is redialled (pollers pausing a second between
	// requests keep theirs).
	KeepIdle time.Duration

	mu sync.Mutex // guards conn between its goroutine and Abort
}

// Abort closes the connection from another goroutine, failing a request in
// flight on it (a held long-poll).
func (c *Conn) Abort() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.conn.Close()
	}
}

// NewConn returns a connection to addr (host:port), dialled on first use.
func NewConn(addr string) *Conn { return &Conn{addr: addr} }

// Close closes the connection.
func (c *Conn) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// Do sends one request and reads the whole response. It returns the status
// and the body, which is valid until the next call. Nothing is retried: a
// failure is an error of the run, and the next call dials afresh.
func (c *Conn) Do(method, target, auth string) (int, []byte, error) {
	status, body, _, err := c.DoIfNoneMatch(method, target, auth, "")
	return status, body, err
}

// DoIfNoneMatch is Do with an If-None-Match header (unless etag is empty),
// and also returns the response's ETag.
func (c *Conn) DoIfNoneMatch(method, target, auth, etag string) (int, []byte, string, error) {
	// Between measurement slices a connection may sit idle while another
	// subject is measured; the server may close it meanwhile, as servers
	// do with idle connections, so it is redialled rather than risked.
	idle := maxIdle
	if c.KeepIdle > 0 {
		idle = c.KeepIdle
	}
	if c.conn != nil && time.Since(c.used) > idle {
		c.Close()
	}
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return 0, nil, "", err
		}
		c.mu.Lock()
		c.conn, c.br = conn, bufio.NewReaderSize(conn, 16<<10)
		c.mu.Unlock()
	}
	b := append(c.buf[:0], method...)
	b = append(b, ' ')
	b = append(b, target...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, c.addr...)
	if auth != "" {
		b = append(b, "\r\nAuthorization: Bearer "...)
		b = append(b, auth...)
	}
	if etag != "" {
		b = append(b, "\r\nIf-None-Match: "...)
		b = append(b, etag...)
	}
	if method == http.MethodPost || method == http.MethodPut {
		b = append(b, "\r\nContent-Length: 0"...)
	}
	b = append(b, "\r\n\r\n"...)
	c.buf = b
	if _, err := c.conn.Write(b); err != nil {
		c.Close()
		return 0, nil, "", fmt.Errorf("write: %w", err)
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.Close()
		return 0, nil, "", fmt.Errorf("read response: %w", err)
	}
	c.body, err = readAll(c.body[:0], resp)
	resp.Body.Close()
	if err != nil || resp.Close {
		c.Close()
	}
	if err != nil {
		return 0, nil, "", fmt.Errorf("read body: %w", err)
	}
	c.used = time.Now()
	return resp.StatusCode, c.body, resp.Header.Get("ETag"), nil
}

// maxIdle is how long a connection may idle before it is redialled.
const maxIdle = time.Second

// readAll reads the body into buf, reusing its memory.
func readAll(buf []byte, resp *http.Response) ([]byte, error) {
	if n, err := strconv.Atoi(resp.Header.Get("Content-Length")); err == nil && cap(buf) < n {
		buf = make([]byte, 0, n)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := resp.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
