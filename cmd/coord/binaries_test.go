package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/internal/proctest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	proctest.RemoveBuilt()
	os.Exit(code)
}

// binaries returns the paths of the built coord and users-server.
func binaries(t *testing.T) (coord, server string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs binaries")
	}
	return proctest.Build(t, "github.com/coordapi/coord/cmd/coord"), proctest.Build(t, "github.com/coordapi/coord/cmd/users-server")
}

// startServer runs users-server with a temp SQLite file and args, waits
// until /healthz answers at url through hc, and stops it at cleanup.
func startServer(t *testing.T, bin, url string, hc *http.Client, args ...string) {
	t.Helper()
	logs := &apitest.SyncBuffer{} // read while the server may still write
	cmd := exec.Command(bin, append([]string{"--db", filepath.Join(t.TempDir(), "coord.db"), "--log-format", "text"}, args...)...)
	cmd.Env = proctest.CleanEnv()
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("users-server log:\n%s", logs.String())
		}
	})
	proctest.WaitOK(t, hc, url+"/healthz", exited, logs)
}

// cli runs the coord binary as a user whose home is a temp dir.
type cli struct {
	bin  string
	home string
	url  string
}

func newCLI(t *testing.T, bin, url string) *cli {
	t.Helper()
	return &cli{bin: bin, home: t.TempDir(), url: url}
}

func (c *cli) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = append(proctest.CleanEnv(),
		"HOME="+c.home, "XDG_CONFIG_HOME="+filepath.Join(c.home, ".config"), "COORD_URL="+c.url)
	return cmd
}

// run runs coord with args and returns its output and exit status.
func (c *cli) run(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := c.command(ctx, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exitErr, ok := err.(*exec.ExitError); ok {
		return out.String(), errOut.String(), exitErr.ExitCode()
	}
	if err != nil {
		t.Fatalf("coord %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), 0
}

// ok runs coord and fails the test unless it succeeds.
func (c *cli) ok(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, status := c.run(t, args...)
	if status != 0 {
		t.Fatalf("coord %s: exit %d\n%s%s", strings.Join(args, " "), status, out, errOut)
	}
	return out
}

// fails runs coord and checks it exits non-zero with stderr starting with want.
func (c *cli) fails(t *testing.T, want string, args ...string) {
	t.Helper()
	out, errOut, status := c.run(t, args...)
	if status == 0 || !strings.HasPrefix(errOut, want) {
		t.Fatalf("coord %s: exit %d, stderr %q, want a failure starting %q (stdout %q)", strings.Join(args, " "), status, errOut, want, out)
	}
}

// tlsClient trusts only the PEM certificate at certFile.
func tlsClient(t *testing.T, certFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}, Timeout: 5 * time.Second}
}
