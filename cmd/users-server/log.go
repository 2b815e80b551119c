package main

import (
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/coordapi/coord/restapi"
)

// newLogger is the process's logger, also slog's default so that library
// logs share its format. Its lines go through a logBuffer to stderr; close
// flushes it, for the end of the process.
func newLogger(level, format string) (log *slog.Logger, close func()) {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level)) // go-flags already restricted the choices
	opts := &slog.HandlerOptions{Level: lvl}
	buf := newLogBuffer(os.Stderr, logFlushInterval)
	var h slog.Handler = slog.NewJSONHandler(buf, opts)
	if format == "text" {
		h = slog.NewTextHandler(buf, opts)
	}
	l := slog.New(flushOnWarn{h, buf})
	slog.SetDefault(l)
	return l, buf.Close
}

// listenAddress names where the server listens, for the startup log line.
func listenAddress(s *restapi.Server) string {
	var addrs []string
	for _, scheme := range s.EnabledListeners {
		switch scheme {
		case "http":
			addrs = append(addrs, "http://"+net.JoinHostPort(s.Host, strconv.Itoa(s.Port)))
		case "https":
			host := s.TLSHost
			if host == "" {
				host = s.Host
			}
			addrs = append(addrs, "https://"+net.JoinHostPort(host, strconv.Itoa(s.TLSPort)))
		case "unix":
			addrs = append(addrs, "unix://"+string(s.SocketPath))
		}
	}
	return strings.Join(addrs, " ")
}
