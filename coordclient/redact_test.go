package coordclient_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord/coordclient"
	"github.com/coordapi/coord/coordtest"
)

// Credentials a failing call must never put into its error: errors end up
// in logs.
const (
	secretKey   = "sk-test-Zq8Wd3KeyThatMustNotLeak"
	secretToken = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFrIn0.TokenThatMustNotLeak"
)

// echoing answers like a careless proxy: its error page quotes the request
// line and the Authorization header.
func echoing(status int, contentType string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		msg := fmt.Sprintf("upstream failed for http://%s%s (%s)", r.Host, r.URL.RequestURI(), r.Header.Get("Authorization"))
		if contentType == "application/json" {
			fmt.Fprintf(w, `{"code":"internal","message":%q,"details":[%q]}`, msg, r.URL.RawQuery)
			return
		}
		fmt.Fprint(w, msg)
	})
}

// hanging never answers within the test's timeout.
func hanging(t *testing.T) string {
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(ts.Close)
	t.Cleanup(func() { close(release) })
	return ts.URL
}

func closedPort(t *testing.T) string {
	ts := httptest.NewServer(http.NotFoundHandler())
	ts.Close()
	return ts.URL
}

// assertClean fails if err's text, in any fmt verb, holds a credential or a query.
func assertClean(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	for _, text := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%s", err)} {
		for _, secret := range []string{secretKey, secretToken, "demo-access-key", "access_key="} {
			if strings.Contains(text, secret) {
				t.Errorf("%s: error %q holds %q", what, text, secret)
			}
		}
	}
	var e *coordclient.Error
	if errors.As(err, &e) {
		for _, d := range append([]string{e.Message}, e.Details...) {
			if strings.Contains(d, secretKey) || strings.Contains(d, secretToken) {
				t.Errorf("%s: *Error field %q holds a credential", what, d)
			}
		}
	}
}

func TestNoErrorHoldsTheAccessKeyATokenOrTheQuery(t *testing.T) {
	ctx := context.Background()
	user := func(base string, opts ...coordclient.Option) *coordclient.UserClient {
		c, err := coordclient.New(base, secretKey, append([]coordclient.Option{fast}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return c.AsUser(secretToken)
	}
	_, err := user(closedPort(t)).Session(ctx, "downtown-garage", 1)
	assertClean(t, "connection refused", err)

	_, err = user(hanging(t), coordclient.WithTimeout(50*time.Millisecond)).User(ctx)
	assertClean(t, "timeout", err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("redaction lost the cause: %v", err)
	}

	for _, tc := range []struct {
		status int
		ctype  string
	}{{500, "application/json"}, {502, "text/html"}, {404, "text/plain"}, {400, "application/json"}} {
		_, err := user(serve(t, echoing(tc.status, tc.ctype))).StartSession(ctx, "downtown-garage", nil)
		assertClean(t, fmt.Sprintf("%d %s", tc.status, tc.ctype), err)
	}

	// The real server: 401 for a token, 404, 422, and a server token.
	srv := coordtest.NewServer(t)
	_, err = srv.Client.AsUser(secretToken).User(ctx)
	assertClean(t, "401", err)
	u, err := srv.Client.CreateTestUser(ctx, coordclient.Identity{Email: "redact@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = u.Session(ctx, "downtown-garage", 99)
	assertClean(t, "404", err)
	_, err = u.StartSession(ctx, "downtown-garage", nil)
	assertClean(t, "422", err)
	_, err = srv.Client.AsServer(secretToken).CreateToken(ctx, coordclient.Identity{ExternalUID: "x", Email: "x@example.com"})
	assertClean(t, "server token", err)
	if _, err = coordclient.New(srv.URL, secretKey); err != nil {
		t.Fatal(err)
	}
	c, _ := coordclient.New(srv.URL, secretKey)
	_, err = c.Systems(ctx)
	assertClean(t, "a wrong access key", err)
}

func TestWrapCutsTheQueryOfCallsMadeWithoutBegin(t *testing.T) {
	c, err := coordclient.New(closedPort(t), secretKey, coordclient.WithoutRetries())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.API().Systems.ListSystems(nil, c.KeyAuth())
	assertClean(t, "wrapped", coordclient.ExportWrap("list_systems", err))
}
