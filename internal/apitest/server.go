// Package apitest runs the real handler on an httptest server over a real
// database, for tests that go through the generated client. Every response
// the client sees is validated against swagger.yaml.
package apitest

import (
	"context"
	"log/slog"
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
	"github.com/coordapi/coord/httpapi"
	"github.com/coordapi/coord/internal/pgtest"
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
}

// Options tune a test server.
type Options struct {
	Catalog *coord.Catalog // default: the demo catalog
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
	store := OpenStore(t, backend, coord.StoreConfig{Clock: clock}) // the default PendingTTL
	cat := opts.Catalog
	if cat == nil {
		cat = catalog.Demo()
	}
	tokens, err := token.New([]byte("apitest-signing-key-0123456789abcdef"), 30*24*time.Hour, clock) // tests move the clock by hours
	if err != nil {
		t.Fatal(err)
	}
	svc := &coord.Service{Store: store, Catalog: cat, Tokens: tokens}
	logs := &SyncBuffer{}
	deps := Deps(svc, store, clock, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	h, err := httpapi.New(NewAPI(t), deps)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)

	u, _ := url.Parse(ts.URL)
	rt := httptransport.NewWithClient(u.Host, client.DefaultBasePath, []string{"http"}, ValidatingClient(t))
	return &Server{URL: ts.URL, Client: client.New(rt, strfmt.Default), Store: store, Catalog: cat,
		Tokens: tokens, Clock: clock, Service: svc, Log: logs}
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
