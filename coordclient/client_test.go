package coordclient_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord/client/sessions"
	"github.com/coordapi/coord/coordclient"
)

const demoKey = "demo-access-key"

func newClient(t *testing.T, baseURL string, opts ...coordclient.Option) *coordclient.Client {
	t.Helper()
	c, err := coordclient.New(baseURL, demoKey, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// lifecycle runs a plate session from a new test user to its bill.
func lifecycle(t *testing.T, c *coordclient.Client, email string) {
	t.Helper()
	ctx := context.Background()
	u := plateUser(t, c, email)
	s, err := u.StartSession(ctx, "downtown-garage", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, err = u.EndSession(ctx, "downtown-garage", s.ID); err != nil {
		t.Fatal(err)
	}
	if got := coordclient.FormatMoney(s.BillingInfo.Cost); got != "USD 0.00" {
		t.Fatalf("cost %s, want USD 0.00", got)
	}
}

func TestNewAcceptsABaseURLWithAnOptionalPrefixAndRejectsOthers(t *testing.T) {
	for _, tc := range []struct{ url, err string }{
		{"http://localhost:8080", ""},
		{"https://api.example.com/coord/", ""},
		{"https://api.example.com/coord/v1/users", ""},
		{"localhost:8080", "scheme"},
		{"ftp://example.com", "scheme"},
		{"http://", "no host"},
		{"http://example.com/?access_key=x", "only a scheme"},
		{"http://example.com/%zz", "base URL"},
	} {
		_, err := coordclient.New(tc.url, demoKey)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("New(%q): %v, want an error containing %q", tc.url, err, tc.err)
		}
	}
	if _, err := coordclient.New("http://localhost:8080", ""); err == nil {
		t.Error("New without an access key succeeded")
	}
}

func TestTheClientWorksBehindABasePathPrefix(t *testing.T) {
	api := newServer(t)
	target, _ := url.Parse(api.URL)
	mux := http.NewServeMux()
	mux.Handle("/coord/", http.StripPrefix("/coord", httputil.NewSingleHostReverseProxy(target)))
	proxy := httptest.NewServer(mux)
	t.Cleanup(proxy.Close)

	lifecycle(t, newClient(t, proxy.URL+"/coord"), "prefix@example.com")

	// Without the prefix the proxy's own text 404 answers, and still reads
	// as an *Error with its status.
	_, err := newClient(t, proxy.URL).Systems(context.Background())
	var e *coordclient.Error
	if !errors.As(err, &e) || e.Status != http.StatusNotFound || e.Code != "" || e.Message != "404 page not found" {
		t.Fatalf("without the prefix: %#v", err)
	}
	if err.Error() != "list_systems: HTTP 404: 404 page not found" {
		t.Fatalf("message %q", err)
	}
}

func TestTheClientWorksOverTLSWithAPrivateCA(t *testing.T) {
	ts := httptest.NewTLSServer(testHandler(t))
	t.Cleanup(ts.Close)
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())

	lifecycle(t, newClient(t, ts.URL, coordclient.WithRootCAs(pool)), "tls@example.com")
	lifecycle(t, newClient(t, ts.URL, coordclient.WithHTTPClient(ts.Client())), "tls-client@example.com")

	_, err := newClient(t, ts.URL).Systems(context.Background())
	var unknownCA x509.UnknownAuthorityError
	if !errors.As(err, &unknownCA) {
		t.Fatalf("with the system roots: %v, want an unknown authority error", err)
	}
	if _, err := coordclient.New(ts.URL, demoKey, coordclient.WithRootCAs(pool), coordclient.WithHTTPClient(ts.Client())); err == nil {
		t.Fatal("WithRootCAs and WithHTTPClient together were accepted")
	}
}

func TestErrorsCarryStatusCodeMessageDetailsAndTheGeneratedResponse(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, newServer(t).URL)
	u, err := c.CreateTestUser(ctx, coordclient.Identity{Email: "errors@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = u.StartSession(ctx, "downtown-garage", nil)
	var e *coordclient.Error
	if !errors.As(err, &e) || e.Status != 422 || e.Code != "requirements_not_met" || len(e.Details) == 0 || e.Message == "" {
		t.Fatalf("without a plate: %#v", err)
	}
	if !strings.HasPrefix(err.Error(), "post_session: requirements_not_met: ") {
		t.Fatalf("message %q does not name the operation and the code", err)
	}
	var generated *sessions.PostSessionUnprocessableEntity
	if !errors.As(err, &generated) {
		t.Fatalf("the generated response is not reachable with errors.As: %T", errors.Unwrap(err))
	}
	if coordclient.IsCode(err, "active_session_exists") || coordclient.IsCode(nil, "requirements_not_met") {
		t.Fatal("IsCode matched the wrong code or a nil error")
	}

	_, err = c.AsUser("not-a-jwt").User(ctx)
	if !errors.As(err, &e) || e.Status != 401 || e.Code != "unauthorized" {
		t.Fatalf("bad token: %v", err)
	}
	_, err = c.AsServer("wrong-server-token").CreateToken(ctx, coordclient.Identity{ExternalUID: "u1", Email: "real@example.com"})
	if !coordclient.IsCode(err, "unauthorized") {
		t.Fatalf("bad server token: %v", err)
	}
}

func TestTransportErrorsNameTheOperation(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	ts.Close() // nothing listens there any more
	_, err := newClient(t, ts.URL, fast).Systems(context.Background())
	var e *coordclient.Error
	if err == nil || errors.As(err, &e) || !strings.HasPrefix(err.Error(), "list_systems: ") {
		t.Fatalf("got %v", err)
	}
}

func TestRequestsTimeOut(t *testing.T) {
	start := time.Now()
	_, err := newClient(t, hanging(t), coordclient.WithTimeout(50*time.Millisecond)).Systems(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the call took %v", d)
	}
}

func TestRealUsersGetTokensFromTheServerToken(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, newServer(t).URL)
	u, err := c.AsServer("demo-server-token").CreateUser(ctx, coordclient.Identity{ExternalUID: "partner-42", Email: "real@example.com", Name: "Rea L"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := u.User(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.ExternalUID != "partner-42" || got.Email != "real@example.com" || got.Name != "Rea L" || *got.Test {
		t.Fatalf("user %+v", got)
	}
	if _, err := u.TestLinkAccount(ctx, "gatepark", true); !coordclient.IsCode(err, "forbidden") {
		t.Fatalf("a real user used a testing operation: %v", err)
	}
}
