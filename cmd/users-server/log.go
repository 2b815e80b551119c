package main

import (
	"log/slog"
	"net"
	"os"
	"strconv"

	"github.com/coordapi/coord/restapi"
)

// newLogger is the process's logger, also slog's default so that library
// logs share its format.
func newLogger(level, format string) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level)) // go-flags already restricted the choices
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler = slog.NewJSONHandler(os.Stderr, opts)
	if format == "text" {
		h = slog.NewTextHandler(os.Stderr, opts)
	}
	l := slog.New(h)
	slog.SetDefault(l)
	return l
}

func listenAddress(s *restapi.Server) string {
	if s.Port != 0 {
		return "http://" + net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	}
	return "https://" + net.JoinHostPort(s.TLSHost, strconv.Itoa(s.TLSPort))
}
