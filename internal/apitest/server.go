// Package apitest runs the real handler on an httptest server over a real
// database, for tests that go through the generated client. Every response
// the client sees is validated against swagger.yaml.
package apitest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	httptransport "github.com/go-openapi/runtime/client"
	"github.com/go-openapi/strfmt"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/client"
	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/httpapi"
	"github.com/coordapi/coord/internal/pgtest"
	"github.com/coordapi/coord/live"
	"github.com/coordapi/coord/postgres"
	"github.com/coordapi/coord/restapi/operations"
	"github.com/coordapi/coord/sqlite"
	"github.com/coordapi/coord/storetest"
	"github.com/coordapi/coord/token"
)

// PostgresEnv names the environment variable holding the PostgreSQL DSN the
// tests use (each run gets its own schema). CI sets it.
const PostgresEnv = "COORD_TEST_POSTGRES"

// Backends are the store kinds every behavioural test runs on.
var Backends = []string{"sqlite", "postgres"}

// Server is the real API on an httptest server.
type Server struct {
	URL     string
	Client  *client.Users
	Store   coord.Store
	Catalog *coord.Catalog
	Tokens  *token.Tokens
	Clock   *storetest.Clock
	Service *coord.Service
	Log     *SyncBuffer
	Hub     *live.Hub
	Handler http.Handler // what URL serves, for tests that serve it differently (HTTP/2)
	// Webhooks is the store's delivery queue; no dispatcher runs on it.
	Webhooks delivery.StoreQueue
}

// Options tune a test server.
type Options struct {
	Catalog *coord.Catalog // default: the demo catalog
	// RealClock runs the store, the tokens and the service on time.Now
	// instead of a controllable clock (Server.Clock is then unused).
	RealClock bool
	// PendingTTL is how long gate sessions wait for the entry gate
	// (default 30 minutes).
	PendingTTL time.Duration
	// MaxWaiters bounds held long-polls (default 100); Recheck is their
	// safety re-check (default a minute, so that tests of wake-ups pass
	// only through wake-ups).
	MaxWaiters int
	Recheck    time.Duration
}

// OpenStore opens an empty store of the given backend for t, closed at cleanup.
// PostgreSQL needs COORD_TEST_POSTGRES; without it the test is skipped.
func OpenStore(t testing.TB, backend string, cfg coord.StoreConfig) coord.Store {
	t.Helper()
	ctx := context.Background()
	switch backend {
	case "sqlite":
		db, err := sqlite.Open(ctx, t.TempDir()+"/coord.db", cfg)
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	case "postgres":
		dsn := os.Getenv(PostgresEnv)
		if dsn == "" {
			t.Skipf("PostgreSQL tests need %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", PostgresEnv)
		}
		schemaDSN, drop, err := pgtest.NewSchema(ctx, dsn)
		if err != nil {
			t.Fatalf("create test schema: %v", err)
		}
		db, err := postgres.Open(ctx, schemaDSN, cfg)
		if err != nil {
			_ = drop()
			t.Fatalf("open postgres: %v", err)
		}
		t.Cleanup(func() { db.Close(); _ = drop() })
		return db
	}
	t.Fatalf("unknown backend %q", backend)
	return nil
}

// New starts the API over a fresh store of the given backend, with a
// controllable clock shared by the store, the tokens and the service.
func New(t testing.TB, backend string, opts Options) *Server {
	t.Helper()
	clock := storetest.NewClock()
	var now coord.Clock = clock
	if opts.RealClock {
		now = coord.SystemClock{}
	}
	store := OpenStore(t, backend, coord.StoreConfig{Clock: now, PendingTTL: opts.PendingTTL})
	cat := opts.Catalog
	if cat == nil {
		cat = catalog.Demo()
	}
	tokens, err := token.New([]byte("apitest-signing-key-0123456789abcdef"), 30*24*time.Hour, now) // tests move the clock by hours
	if err != nil {
		t.Fatal(err)
	}
	svc := &coord.Service{Store: store, Catalog: cat, Tokens: tokens}
	logs := &SyncBuffer{}
	hub := NewHub(t, store, now.Now, opts.MaxWaiters, opts.Recheck)
	deps := Deps(svc, store, now, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	deps.Hub = hub
	queue, err := store.(delivery.QueueStore).WebhookQueue(context.Background(), delivery.Endpoints(cat.Partners), httpapi.EventJSON(svc))
	if err != nil {
		t.Fatal(err)
	}
	deps.Webhooks = httpapi.Webhooks{History: queue, Sender: delivery.NewSender(delivery.WithTimeout(5 * time.Second))}
	h, err := httpapi.New(NewAPI(t), deps)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)

	u, _ := url.Parse(ts.URL)
	rt := httptransport.NewWithClient(u.Host, client.DefaultBasePath, []string{"http"}, ValidatingClient(t))
	return &Server{URL: ts.URL, Client: client.New(rt, strfmt.Default), Store: store, Catalog: cat,
		Tokens: tokens, Clock: clock, Service: svc, Log: logs, Hub: hub, Handler: h, Webhooks: queue}
}

// NewHub returns a hub following store's changes until t ends; maxWaiters
// 0 means 100 and recheck 0 a minute.
func NewHub(t testing.TB, store coord.EventStore, now func() time.Time, maxWaiters int, recheck time.Duration) *live.Hub {
	if maxWaiters == 0 {
		maxWaiters = 100
	}
	if recheck == 0 {
		recheck = time.Minute
	}
	hub := live.New(maxWaiters, recheck, now)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hub.Follow(ctx, store); err != nil {
			t.Errorf("follow changes: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return hub
}

// Deps are the handler's dependencies as New wires them: svc's catalog and
// tokens, store behind the keys, the gauge and /readyz.
func Deps(svc *coord.Service, store coord.Store, clock coord.Clock, log *slog.Logger) httpapi.Deps {
	return httpapi.Deps{Service: svc, Catalog: svc.Catalog, Tokens: svc.Tokens, Keys: store,
		OpenSessions: store, Ready: store.Ping, Clock: clock, Logger: log}
}

// NewAPI is httpapi.NewAPI, failing t on error.
func NewAPI(t testing.TB) *operations.UsersAPI {
	t.Helper()
	api, err := httpapi.NewAPI()
	if err != nil {
		t.Fatal(err)
	}
	return api
}

// EachBackend runs fn as a subtest on every backend.
func EachBackend(t *testing.T, fn func(t *testing.T, backend string)) {
	for _, b := range Backends {
		t.Run(b, func(t *testing.T) { fn(t, b) })
	}
}
