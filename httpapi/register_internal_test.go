package httpapi

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
)

// TestTransportCodesHaveAStatus: every transport code the adapter may send
// is mapped to its status, and none is also a domain code.
func TestTransportCodesHaveAStatus(t *testing.T) {
	for _, code := range TransportCodes {
		if statusOf[code] == 0 {
			t.Errorf("transport code %q has no status", code)
		}
		if coord.ErrorCode(coord.Errorf(code, "x")) != code {
			t.Errorf("transport code %q does not round-trip", code)
		}
	}
}

// TestGoOpenAPIDebugLinesAreFormatted: api.Logger used to drop its arguments.
func TestGoOpenAPIDebugLinesAreFormatted(t *testing.T) {
	var buf bytes.Buffer
	api, err := NewAPI()
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{Catalog: catalog.Demo(), Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if err := register(api, d, linkTokens{}, newMetrics(nil)); err != nil {
		t.Fatal(err)
	}
	api.Logger("route %s %d", "GET /x", 7)
	if !strings.Contains(buf.String(), "go-openapi: route GET /x 7") {
		t.Errorf("logged %q, want the formatted line", buf.String())
	}
}

// TestOneRuleForLoggingFailures: every 5xx but 501 is logged, no 4xx is.
func TestOneRuleForLoggingFailures(t *testing.T) {
	for status, logged := range map[int]bool{
		http.StatusInternalServerError: true, http.StatusServiceUnavailable: true,
		http.StatusNotImplemented: false, http.StatusNotFound: false, http.StatusConflict: false,
	} {
		var buf bytes.Buffer
		ctx := WithLogger(context.Background(), slog.New(slog.NewTextHandler(&buf, nil)))
		logServerFault(ctx, "failed", status, errors.New("cause"))
		if got := buf.Len() > 0; got != logged {
			t.Errorf("status %d logged = %v, want %v", status, got, logged)
		}
	}
}
