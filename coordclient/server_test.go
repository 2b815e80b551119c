package coordclient_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/httpapi"
	"github.com/coordapi/coord/live"
	"github.com/coordapi/coord/sqlite"
	"github.com/coordapi/coord/token"
)

// serverURL is the in-process server the examples talk to (see TestMain).
var serverURL string

// TestMain serves the real API for the examples, which cannot take a
// *testing.T to start their own.
func TestMain(m *testing.M) {
	os.Exit(runWithServer(m))
}

func runWithServer(m *testing.M) int {
	dir, err := os.MkdirTemp("", "coordclient-example-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	h, closeDB, err := newHandler(filepath.Join(dir, "coord.db"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer closeDB()
	ts := httptest.NewServer(h)
	defer ts.Close()
	serverURL = ts.URL
	return m.Run()
}

// newHandler builds the real API handler over a SQLite file with the demo
// catalog, as users-server does with no flags.
func newHandler(dbPath string) (http.Handler, func(), error) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return nil, nil, err
	}
	tokens, err := token.New([]byte("coordclient-test-signing-key-0123456789"), time.Hour)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	svc := &coord.Service{Store: store, Catalog: catalog.Demo(), Tokens: tokens, Now: time.Now, PendingTTL: 30 * time.Minute}
	hub := live.New(100, 0, time.Now)
	follow, stopFollowing := context.WithCancel(ctx)
	go func() { _ = hub.Follow(follow, store) }()
	deps := httpapi.Deps{Service: svc, Hub: hub, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	api, err := httpapi.NewAPI()
	if err == nil {
		err = httpapi.Register(api, deps)
	}
	if err != nil {
		stopFollowing()
		store.Close()
		return nil, nil, err
	}
	return httpapi.Handler(api, deps, store.Ping), func() { stopFollowing(); store.Close() }, nil
}

// newServer serves the real API on an httptest server for one test.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	h := testHandler(t)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// testHandler is newHandler over a database in t's temp dir.
func testHandler(t *testing.T) http.Handler {
	t.Helper()
	h, closeDB, err := newHandler(filepath.Join(t.TempDir(), "coord.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeDB)
	return h
}
