package main

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while the flusher writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogBufferHoldsInfoLinesAtMostAnInterval: an info line waits in the
// buffer (no write per line), and is out within the flush interval.
func TestLogBufferHoldsInfoLinesAtMostAnInterval(t *testing.T) {
	var out syncBuffer
	buf := newLogBuffer(&out, 50*time.Millisecond)
	defer buf.Close()
	log := slog.New(flushOnWarn{slog.NewJSONHandler(buf, nil), buf})
	log.Info("request", "status", 200)
	if out.String() != "" {
		t.Fatal("an info line was written at once, not buffered")
	}
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(out.String(), `"msg":"request"`) {
		if time.Now().After(deadline) {
			t.Fatal("the info line was not flushed within 2 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLogBufferWritesWarningsAtOnceAndFlushesOnClose: a warning flushes
// everything before it; Close flushes the rest, and later lines go out at once.
func TestLogBufferWritesWarningsAtOnceAndFlushesOnClose(t *testing.T) {
	var out syncBuffer
	buf := newLogBuffer(&out, time.Hour)
	log := slog.New(flushOnWarn{slog.NewJSONHandler(buf, nil), buf}).With("request_id", "r-1")
	log.Info("first")
	log.Warn("second")
	if s := out.String(); !strings.Contains(s, `"msg":"first"`) || !strings.Contains(s, `"msg":"second"`) {
		t.Fatalf("a warning did not flush the buffer: %q", s)
	}
	log.Info("third")
	buf.Close()
	if !strings.Contains(out.String(), `"msg":"third"`) {
		t.Fatal("Close did not flush")
	}
	log.Info("fourth")
	if !strings.Contains(out.String(), `"msg":"fourth"`) {
		t.Fatal("a line after Close was held back")
	}
}
