package coordclient_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/coordapi/coord/coordtest"
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
	h, closeDB, err := coordtest.NewHandler(dbPath, nil)
	if err != nil {
		return nil, nil, err
	}
	return h, func() { _ = closeDB() }, nil
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
