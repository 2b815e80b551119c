package bench

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/coordapi/coord/internal/proctest"
)

// Process is a child server process listening on Addr.
type Process struct {
	Addr string
	cmd  *exec.Cmd
	done chan struct{}
	log  *os.File
}

// StartProcess runs bin with args plus --host/--port flags for a free
// loopback port, with env added to a copy of this process's environment
// from which every COORD_ variable is removed (so that the caller's shell
// cannot change the server under test). Output goes to logPath. It returns
// once GET readyPath answers 200.
func StartProcess(bin string, args, env []string, logPath, readyPath string) (*Process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin, append(args, "--host", "127.0.0.1", "--port", strconv.Itoa(port))...)
	cmd.Env = append(proctest.CleanEnv(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &Process{Addr: addr, cmd: cmd, done: make(chan struct{}), log: logFile}
	go func() { _ = cmd.Wait(); close(p.done) }()
	if err := p.waitReady(readyPath); err != nil {
		p.Stop()
		return nil, fmt.Errorf("%s: %w (log: %s)", bin, err, logPath)
	}
	return p, nil
}

func (p *Process) waitReady(path string) error {
	c := NewConn(p.Addr)
	defer c.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if status, _, err := c.Do("GET", path, ""); err == nil && status == 200 {
			return nil
		}
		c.Close()
		select {
		case <-p.done:
			return fmt.Errorf("exited before it was ready")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after 30s")
		}
	}
}

// Pid is the child's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Stop sends SIGTERM, waits up to 10 s, then kills.
func (p *Process) Stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	p.log.Close()
}

// PeakRSS is the child's peak resident set size (VmHWM) in bytes.
func (p *Process) PeakRSS() (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.Pid()))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", p.Pid())
}

// CPUTime is the user+system CPU time the child has used so far.
func (p *Process) CPUTime() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Pid()))
	if err != nil {
		return 0, err
	}
	// Fields after the parenthesised command name; utime and stime are the
	// 14th and 15th fields of the whole line, in clock ticks (100 Hz on Linux).
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", p.Pid())
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", p.Pid())
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// cpuTime is CPUTime, 0 for a nil process or on error.
func (p *Process) cpuTime() time.Duration {
	if p == nil {
		return 0
	}
	t, _ := p.CPUTime()
	return t
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
