package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/internal/proctest"
)

// The tests in this package run the real binary, as an operator would.

func TestMain(m *testing.M) {
	code := m.Run()
	proctest.RemoveBuilt()
	os.Exit(code)
}

// serverBinary builds users-server once for the package's tests.
func serverBinary(t *testing.T) string {
	t.Helper()
	return proctest.Build(t, "github.com/coordapi/coord/cmd/users-server")
}

// result is how a process ended.
type result struct {
	code           int
	stdout, stderr string
}

// runServer runs the binary to completion (it must exit by itself).
func runServer(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(serverBinary(t), args...)
	cmd.Env = append(proctest.CleanEnv(), env...)
	cmd.Dir = t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("users-server %v did not exit", args)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// server is a running users-server process.
type server struct {
	cmd  *exec.Cmd
	url  string
	log  *apitest.SyncBuffer
	done chan struct{}
	err  error // cmd.Wait's, once done is closed
}

// startServer starts the binary on a free port and waits until /healthz
// answers. The process is killed at cleanup if still running.
func startServer(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	port := proctest.FreePort(t)
	s := &server{url: "http://127.0.0.1:" + strconv.Itoa(port), log: &apitest.SyncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(serverBinary(t), args...)
	s.cmd.Env = append(proctest.CleanEnv(), append([]string{"COORD_HOST=127.0.0.1", "COORD_PORT=" + strconv.Itoa(port)}, env...)...)
	s.cmd.Dir = t.TempDir()
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			s.cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.log)
		}
	})
	proctest.WaitOK(t, http.DefaultClient, s.url+"/healthz", s.done, s.log)
	return s
}

// wait waits for the process to exit and returns its exit code.
func (s *server) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-s.done:
		return s.cmd.ProcessState.ExitCode()
	case <-time.After(within):
		t.Fatalf("users-server still running after %v", within)
		return -1
	}
}

// waitLog waits for the server's output to match pattern: a request's log
// line is written just after its response.
func (s *server) waitLog(t *testing.T, pattern string) {
	t.Helper()
	re := regexp.MustCompile(pattern)
	for deadline := time.Now().Add(5 * time.Second); !re.MatchString(s.log.String()); {
		if time.Now().After(deadline) {
			t.Fatalf("no log line matches %s", pattern)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
