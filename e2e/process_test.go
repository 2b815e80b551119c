// Package e2e tests users-server as a real child process: crashes,
// restarts and everything that needs a process boundary.
package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	httptransport "github.com/go-openapi/runtime/client"
	"github.com/go-openapi/strfmt"

	"github.com/coordapi/coord/client"
	"github.com/coordapi/coord/internal/apitest"
)

// serverBinary is users-server built once for the package's tests.
var serverBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "coord-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serverBinary = filepath.Join(dir, "users-server")
	build := exec.Command("go", "build", "-o", serverBinary, "github.com/coordapi/coord/cmd/users-server")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build users-server:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a users-server child process.
type server struct {
	URL    string
	Client *client.Users
	cmd    *exec.Cmd
	logs   *apitest.SyncBuffer
	done   chan struct{}
}

// startServer runs users-server on a free port with args and waits until it is ready.
func startServer(t testing.TB, args ...string) *server {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(serverBinary, append([]string{"--host", "127.0.0.1", "--port", fmt.Sprint(port)}, args...)...)
	logs := &apitest.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start users-server: %v", err)
	}
	s := &server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, logs: logs, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.kill() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-s.done:
			t.Fatalf("users-server exited before it was ready:\n%s", logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("users-server not ready after 20s:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	u, _ := url.Parse(s.URL)
	rt := httptransport.NewWithClient(u.Host, client.DefaultBasePath, []string{"http"}, apitest.ValidatingClient(t))
	s.Client = client.New(rt, strfmt.Default)
	return s
}

// kill ends the process with SIGKILL: no shutdown hook, no flush, no close.
func (s *server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
