package main

import (
	"log/slog"
	"net"
	"os"
	"strconv"

	"github.com/coordapi/coord/restapi"
)

func newLogger(level, format string) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level)) // go-flags already restricted the choices
	opts := &slog.HandlerOptions{Level: lvl}
	if format == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

func listenAddress(s *restapi.Server) string {
	if s.Port != 0 {
		return "http://" + net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	}
	return "https://" + net.JoinHostPort(s.TLSHost, strconv.Itoa(s.TLSPort))
}
