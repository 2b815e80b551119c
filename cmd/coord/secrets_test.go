package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// No message of coord, on stdout or stderr, holds the access key, a token
// or a query string, whatever goes wrong: nothing listening, no answer,
// 4xx, 5xx, a proxy that quotes the request back.
func TestNoMessageHoldsTheAccessKeyOrAToken(t *testing.T) {
	const key, token = "sk-cli-KeyThatMustNotLeak", "eyJ.cli.TokenThatMustNotLeak"
	p := newInProcess(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	release := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(hanging.Close)
	t.Cleanup(func() { close(release) })
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusInternalServerError
		if r.Method == http.MethodPost {
			status = http.StatusBadGateway
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		fmt.Fprintf(w, "failed: %s %s", r.URL.RequestURI(), r.Header.Get("Authorization"))
	}))
	t.Cleanup(echo.Close)

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"connection refused", []string{"--url", closed.URL, "user"}},
		{"timeout", []string{"--url", hanging.URL, "--timeout", "100ms", "systems"}},
		{"5xx quoting the request", []string{"--url", echo.URL, "user"}},
		{"502 to a POST", []string{"--url", echo.URL, "login", "--test", "--email", "x@example.com"}},
		{"401 for the access key", []string{"systems"}},
		{"401 for the token", []string{"--access-key", "demo-access-key", "user"}},
		{"404", []string{"--access-key", "demo-access-key", "session", "get", "nowhere", "1"}},
		{"usage", []string{"session", "get", "downtown-garage", token}},
	} {
		var out, errOut bytes.Buffer
		status := run(append([]string{"--url", p.url, "--access-key", key, "--token", token}, tc.args...), &out, &errOut)
		if status == 0 {
			t.Errorf("%s: succeeded", tc.name)
		}
		all := out.String() + errOut.String()
		for _, secret := range []string{key, token, "access_key="} {
			if tc.name == "usage" && secret == token {
				continue // the argument itself is echoed as the bad ID, as typed
			}
			if strings.Contains(all, secret) {
				t.Errorf("%s: the output holds %q:\n%s", tc.name, secret, all)
			}
		}
	}
}
