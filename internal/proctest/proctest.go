// Package proctest builds the project's commands and runs them as child
// processes, for the tests that need a real process boundary (signals,
// SIGKILL, flags and environment, several replicas).
package proctest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var builds struct {
	sync.Mutex
	dir  string
	bins map[string]string // import path → binary
}

// Build builds the command with the given import path once per test binary
// and returns the path of the executable. Call RemoveBuilt from TestMain.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	builds.Lock()
	defer builds.Unlock()
	if bin, ok := builds.bins[pkg]; ok {
		return bin
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "coord-bin-")
		if err != nil {
			t.Fatal(err)
		}
		builds.dir, builds.bins = dir, map[string]string{}
	}
	bin := filepath.Join(builds.dir, path.Base(pkg))
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	builds.bins[pkg] = bin
	return bin
}

// RemoveBuilt deletes what Build made; TestMain calls it after m.Run.
func RemoveBuilt() {
	builds.Lock()
	defer builds.Unlock()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
}

// FreePort asks the kernel for a port nothing listens on. Another process
// could take it before the child does; the tests accept that small race
// rather than parse the port from the child's logs.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// CleanEnv is the environment without the developer's COORD_* settings,
// which would otherwise configure the binaries under test.
func CleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COORD_") {
			out = append(out, kv)
		}
	}
	return out
}

// WaitOK polls url through hc until it answers 200, the process exits
// (exited is closed or receives), or 20 seconds pass; logs explain failures.
func WaitOK[T any](t testing.TB, hc *http.Client, url string, exited <-chan T, logs fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := hc.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("the process exited before %s answered:\n%s", url, logs)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer 200 within 20s (%v):\n%s", url, err, logs)
		}
	}
}
