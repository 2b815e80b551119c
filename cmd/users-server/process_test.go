package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coordapi/coord/internal/apitest"
)

// The tests in this package run the real binary, as an operator would.

var binary struct {
	once sync.Once
	path string
	err  error
	dir  string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// serverBinary builds users-server once for the package's tests.
func serverBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		binary.dir, binary.err = os.MkdirTemp("", "users-server-test")
		if binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "users-server")
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		out, err := exec.Command(goTool, "build", "-o", binary.path, ".").CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
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
	cmd.Env = append(cleanEnv(), env...)
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

// cleanEnv is the test's environment without COORD_* variables, which
// would configure the server under test.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if len(kv) < 6 || kv[:6] != "COORD_" {
			env = append(env, kv)
		}
	}
	return env
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
	port := freePort(t)
	s := &server{url: "http://127.0.0.1:" + strconv.Itoa(port), log: &apitest.SyncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(serverBinary(t), args...)
	s.cmd.Env = append(cleanEnv(), append([]string{"COORD_HOST=127.0.0.1", "COORD_PORT=" + strconv.Itoa(port)}, env...)...)
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
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			return s
		}
		select {
		case <-s.done:
			t.Fatalf("users-server exited at start: %v\n%s", s.err, s.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("users-server did not answer /healthz: %v\n%s", err, s.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
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

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
