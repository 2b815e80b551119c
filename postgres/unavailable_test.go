package postgres_test

import (
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coordapi/coord"
)

// When the database goes away the store answers EUnavailable (the HTTP
// layer's 503), and when it comes back the pool recovers by itself.
func TestDatabaseOutage(t *testing.T) {
	dsn := testSchema(t)
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		t.Skipf("needs a postgres:// URL with a host to put a proxy in front of, got %q", dsn)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	p := startProxy(t, "127.0.0.1:0", target)
	u.Host = p.addr
	db := open(t, u.String(), coord.StoreConfig{})
	ctx := t.Context()
	user, err := db.UpsertUser(ctx, coord.UserProfile{PartnerID: "p", ExternalUID: "x"})
	if err != nil {
		t.Fatal(err)
	}

	p.stop()
	if err := db.Ping(ctx); coord.ErrorCode(err) != coord.EUnavailable {
		t.Errorf("Ping while down = %v, want %s", err, coord.EUnavailable)
	}
	_, err = db.Sessions(ctx, coord.SessionFilter{UserID: user.UserID, Limit: 1})
	if coord.ErrorCode(err) != coord.EUnavailable {
		t.Errorf("Sessions while down = %v, want %s", err, coord.EUnavailable)
	}
	var domain *coord.Error
	if !errors.As(err, &domain) || domain.Message != "database unavailable" {
		t.Fatalf("error %v tells more than that the database is unavailable", err)
	}
	if strings.HasSuffix(err.Error(), domain.Message) {
		t.Errorf("error %q does not carry its cause", err)
	}

	startProxy(t, p.addr, p.target)
	deadline := time.Now().Add(10 * time.Second)
	for db.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("still down 10s after the database came back: %v", db.Ping(ctx))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := db.User(ctx, user.UserID); err != nil {
		t.Errorf("User after recovery: %v", err)
	}
}

// proxy forwards TCP connections to target until stopped; stopping it cuts
// every connection, as a database crash or a network partition would.
type proxy struct {
	addr, target string
	ln           net.Listener
	mu           sync.Mutex
	conns        []net.Conn
	wg           sync.WaitGroup
}

func startProxy(t *testing.T, addr, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: ln.Addr().String(), target: target, ln: ln}
	p.wg.Go(p.serve)
	t.Cleanup(p.stop)
	return p
}

func (p *proxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return // stopped
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		p.wg.Go(func() { io.Copy(server, client); server.Close() })
		p.wg.Go(func() { io.Copy(client, server); client.Close() })
	}
}

func (p *proxy) stop() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}
