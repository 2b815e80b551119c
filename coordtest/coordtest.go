// Package coordtest runs the real Coord Users API inside a Go test, for the
// tests of programs built on coordclient: the server's own handler over a
// SQLite database in the test's temporary directory, with the demo catalog
// (or a given one), served on a loopback port and stopped by t.Cleanup. No
// binary, no configuration, no network beyond loopback.
//
//	func TestCheckout(t *testing.T) {
//		srv := coordtest.NewServer(t)
//		u, err := srv.Client.CreateTestUser(ctx, coordclient.Identity{Email: "driver@example.com"})
//		...
//	}
package coordtest

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/coordclient"
	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/httpapi"
	"github.com/coordapi/coord/live"
	"github.com/coordapi/coord/restapi/operations"
	"github.com/coordapi/coord/sqlite"
	"github.com/coordapi/coord/token"
)

// Server is a running API for one test.
type Server struct {
	// URL is the base URL to give coordclient.New (or any HTTP client).
	URL string
	// AccessKey is the first partner's access key ("demo-access-key" in
	// the demo catalog).
	AccessKey string
	// Client is a coordclient.Client for URL and AccessKey.
	Client *coordclient.Client
	// Catalog is what the server serves: partners, systems, locations, prices.
	Catalog *coord.Catalog

	t      testing.TB
	dbPath string
	addr   string
	tokens *token.Tokens

	mu      sync.Mutex
	running *running
}

// running is one life of the server, between Start and Stop.
type running struct {
	http    *http.Server
	closeDB func() error
	done    chan struct{}
}

// Option configures NewServer.
type Option func(*config)

type config struct {
	catalog    *coord.Catalog
	clientOpts []coordclient.Option
}

// WithCatalog serves cat instead of the demo catalog.
func WithCatalog(cat *coord.Catalog) Option { return func(c *config) { c.catalog = cat } }

// WithClientOptions configures Server.Client (retries, timeout, User-Agent).
func WithClientOptions(opts ...coordclient.Option) Option {
	return func(c *config) { c.clientOpts = append(c.clientOpts, opts...) }
}

// NewServer starts the API for t and stops it when t ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := config{catalog: catalog.Demo()}
	for _, opt := range opts {
		opt(&cfg)
	}
	if len(cfg.catalog.Partners) == 0 || len(cfg.catalog.Partners[0].AccessKeys) == 0 {
		t.Fatal("coordtest: the catalog's first partner has no access key")
	}
	tokens, err := token.New([]byte(rand.Text()+rand.Text()), time.Hour, nil)
	if err != nil {
		t.Fatalf("coordtest: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("coordtest: %v", err)
	}
	s := &Server{
		URL:       "http://" + ln.Addr().String(),
		AccessKey: cfg.catalog.Partners[0].AccessKeys[0],
		Catalog:   cfg.catalog,
		t:         t,
		dbPath:    filepath.Join(t.TempDir(), "coord.db"),
		addr:      ln.Addr().String(),
		tokens:    tokens,
	}
	if s.Client, err = coordclient.New(s.URL, s.AccessKey, cfg.clientOpts...); err != nil {
		ln.Close()
		t.Fatalf("coordtest: %v", err)
	}
	if err := s.serve(ln); err != nil {
		t.Fatalf("coordtest: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Stop stops the server as a crash would look to a client: open
// connections are closed and new ones refused. The database stays, for
// Start. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running == nil {
		return
	}
	r := s.running
	s.running = nil
	_ = r.http.Close()
	<-r.done
	_ = r.closeDB()
}

// Start starts a stopped server again, on the same address and database:
// with Stop, a restart in the middle of a client's calls.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running != nil {
		return
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.t.Errorf("coordtest: restart on %s: %v", s.addr, err)
		return
	}
	if err := s.serveLocked(ln); err != nil {
		s.t.Errorf("coordtest: restart: %v", err)
	}
}

func (s *Server) serve(ln net.Listener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.serveLocked(ln)
}

// serveLocked opens the database and serves the real handler on ln.
func (s *Server) serveLocked(ln net.Listener) error {
	handler, closeDB, err := newHandler(s.dbPath, s.Catalog, s.tokens)
	if err != nil {
		ln.Close()
		return err
	}
	r := &running{http: &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}, closeDB: closeDB, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		_ = r.http.Serve(ln)
	}()
	s.running = r
	return nil
}

// NewHandler is the API's handler, as users-server serves it but logging
// nowhere, over the SQLite database at dbPath (created if missing) with cat
// (nil: the demo catalog); closeDB releases the database. For a TestMain
// that serves runnable examples, which get no *testing.T for NewServer.
func NewHandler(dbPath string, cat *coord.Catalog) (h http.Handler, closeDB func() error, err error) {
	if cat == nil {
		cat = catalog.Demo()
	}
	tokens, err := token.New([]byte(rand.Text()+rand.Text()), time.Hour, nil)
	if err != nil {
		return nil, nil, err
	}
	return newHandler(dbPath, cat, tokens)
}

// newHandler is NewHandler with the tokens a restart must keep.
func newHandler(dbPath string, cat *coord.Catalog, tokens *token.Tokens) (http.Handler, func() error, error) {
	store, err := sqlite.Open(context.Background(), dbPath, coord.StoreConfig{})
	if err != nil {
		return nil, nil, err
	}
	// Long-polls are woken by the store's commits, as in users-server.
	hub := live.New(live.DefaultMaxWaiters, 0, time.Now)
	follow, stopFollowing := context.WithCancel(context.Background())
	following := make(chan struct{})
	go func() { defer close(following); _ = hub.Follow(follow, store) }()
	closeAll := func() error {
		hub.Close()
		stopFollowing()
		<-following
		return store.Close()
	}
	svc := &coord.Service{Store: store, Catalog: cat, Tokens: tokens}
	// ping_webhook and list_webhook_deliveries work; no dispatcher runs.
	queue, err := store.WebhookQueue(context.Background(), delivery.Endpoints(cat.Partners), httpapi.EventJSON(svc))
	var api *operations.UsersAPI
	if err == nil {
		api, err = httpapi.NewAPI()
	}
	var h http.Handler
	if err == nil {
		h, err = httpapi.New(api, httpapi.Deps{
			Service: svc,
			Catalog: cat, Tokens: tokens, Keys: store, OpenSessions: store, Ready: store.Ping,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Hub: hub,
			Webhooks: httpapi.Webhooks{History: queue, Sender: delivery.NewSender()},
		})
	}
	if err != nil {
		_ = closeAll()
		return nil, nil, err
	}
	return h, closeAll, nil
}
