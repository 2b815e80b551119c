// Package e2e tests users-server as a real child process: crashes,
// restarts and everything that needs a process boundary.
package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"syscall"
	"testing"

	httptransport "github.com/go-openapi/runtime/client"
	"github.com/go-openapi/strfmt"

	"github.com/coordapi/coord/client"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/internal/proctest"
)

const serverPkg = "github.com/coordapi/coord/cmd/users-server"

func TestMain(m *testing.M) {
	code := m.Run()
	proctest.RemoveBuilt()
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
	port := proctest.FreePort(t)
	cmd := exec.Command(proctest.Build(t, serverPkg), append([]string{"--host", "127.0.0.1", "--port", fmt.Sprint(port)}, args...)...)
	cmd.Env = proctest.CleanEnv()
	logs := &apitest.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start users-server: %v", err)
	}
	s := &server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, logs: logs, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.kill() })
	proctest.WaitOK(t, http.DefaultClient, s.URL+"/readyz", s.done, logs)
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
