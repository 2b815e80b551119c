package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/coordapi/coord"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coordapi/coord/sqlite"
)

// slowClient is a request in flight: its headers and half its body are
// sent, the rest is held back until the test lets it go.
type slowClient struct {
	conn net.Conn
	rest string
}

// startSlowRequest starts a create_test_jwt request, which writes a user to
// the database, and stops half-way through its body. This is how real slow
// clients (a phone on a bad network) keep a request in flight; the server
// is built as in production, with no hook to slow it down.
func startSlowRequest(t *testing.T, addr, email string) slowClient {
	t.Helper()
	body := fmt.Sprintf(`{"email":%q}`, email)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	half := len(body) / 2
	_, err = fmt.Fprintf(conn, "POST /v1/users/testing/create_jwt?access_key=demo-access-key HTTP/1.1\r\n"+
		"Host: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body[:half])
	if err != nil {
		t.Fatal(err)
	}
	return slowClient{conn: conn, rest: body[half:]}
}

// finish sends the rest of the body and returns the response's status and
// the id of the user the minted token names.
func (c slowClient) finish() (int, string, error) {
	if _, err := io.WriteString(c.conn, c.rest); err != nil {
		return 0, "", err
	}
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c.conn), nil)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var out struct {
		JWT string `json:"jwt_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		return resp.StatusCode, "", err
	}
	parts := strings.Split(out.JWT, ".")
	if len(parts) != 3 {
		return resp.StatusCode, "", fmt.Errorf("not a JWT: %q", out.JWT)
	}
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return resp.StatusCode, "", err
	}
	var sub struct{ Sub string }
	err = json.Unmarshal(claims, &sub)
	return resp.StatusCode, sub.Sub, err
}

// inFlight reads the server's in-flight gauge, which counts the scrape too.
func (s *server) inFlight(t *testing.T) int {
	t.Helper()
	return s.gauge(t, "coord_http_requests_in_flight")
}

// gauge reads one unlabelled gauge of the server's /metrics.
func (s *server) gauge(t *testing.T, name string) int {
	t.Helper()
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + name + ` (\d+)$`).FindSubmatch(text)
	if m == nil {
		t.Fatalf("no %s in /metrics", name)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// until polls cond every 10ms for up to 10s.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

func TestSIGTERMLetsTwentyInFlightRequestsFinish(t *testing.T) {
	const n = 20
	db := filepath.Join(t.TempDir(), "coord.db")
	s := startServer(t, []string{"COORD_DB=" + db}, "--shutdown-delay", "500ms")
	addr := strings.TrimPrefix(s.url, "http://")

	clients := make([]slowClient, n)
	for i := range clients {
		clients[i] = startSlowRequest(t, addr, fmt.Sprintf("driver%d@example.com", i))
	}
	until(t, "the server is reading all 20 requests", func() bool { return s.inFlight(t) == n+1 })

	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// During --shutdown-delay the server still accepts, and says it is not ready.
	until(t, "/readyz fails", func() bool {
		resp, err := http.Get(s.url + "/readyz")
		if err != nil {
			t.Fatalf("/readyz during the shutdown delay: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode == 503 && strings.Contains(string(body), `"unavailable"`)
	})
	// Then it stops accepting and drains.
	until(t, "the listener closes", func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})

	var wg sync.WaitGroup
	users := make([]string, n)
	for i, c := range clients {
		wg.Go(func() {
			status, user, err := c.finish()
			if err != nil || status != 200 {
				t.Errorf("request %d: status %d, error %v", i, status, err)
			}
			users[i] = user
		})
	}
	wg.Wait()

	if code := s.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0", code)
	}
	if !strings.Contains(s.log.String(), `"msg":"stopped"`) {
		t.Errorf("no stopped line in the log")
	}
	// SQLite deletes the write-ahead log when the last connection closes
	// cleanly; reopening finds every user the drained requests created.
	if _, err := os.Stat(db + "-wal"); !os.IsNotExist(err) {
		t.Errorf("the WAL file is still there (%v): the database was not closed", err)
	}
	store, err := sqlite.Open(context.Background(), db, coord.StoreConfig{})
	if err != nil {
		t.Fatalf("reopen the database: %v", err)
	}
	defer store.Close()
	for i, id := range users {
		if _, err := store.User(context.Background(), id); err != nil && id != "" {
			t.Errorf("user of request %d: %v", i, err)
		}
	}
}
