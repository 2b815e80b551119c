package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/coordapi/coord/httpapi"
	"github.com/coordapi/coord/internal/apitest"
)

// TestEveryAnswerIsNoStoreAndNosniff: every operation, answered well or
// refused, and the operational endpoints carry Cache-Control: no-store (token
// responses must not sit in a cache) and X-Content-Type-Options: nosniff.
func TestEveryAnswerIsNoStoreAndNosniff(t *testing.T) {
	w := newSecWorld(t, "sqlite")
	tried := 0
	check := func(t *testing.T, name string, r rawResponse) {
		t.Helper()
		tried++
		if got := r.header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: %d with Cache-Control %q, want no-store", name, r.status, got)
		}
		if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: %d with X-Content-Type-Options %q, want nosniff", name, r.status, got)
		}
	}
	good := secCreds{key: alphaKey, bearer: w.victim.Token, jwt: w.victim.Token}
	for _, op := range secOps {
		c := good
		if op.creds == keyAndSrv {
			c.bearer = alphaServer
		}
		check(t, op.id, sendRaw(t, secRequest(t, w.s, op, c, w.plate, w.gate)))
		check(t, op.id+" without credentials", sendRaw(t, secRequest(t, w.s, op, secCreds{}, w.plate, w.gate)))
	}
	for _, path := range []string{"/healthz", "/readyz", "/v1/users/nowhere", "/v1/users/systems/../x"} {
		req, _ := http.NewRequest("GET", w.s.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		check(t, path, rawResponse{status: resp.StatusCode, header: resp.Header})
	}
	t.Logf("%d answers checked", tried)
}

// wildcardTypes are Content-Type values that name no concrete media type.
var wildcardTypes = []string{"*/*", "application/*", "*/json", "*/*; charset=utf-8", "*/*+json", "application/*+json", " */* ", "*/*;q=0.9"}

// TestWildcardContentTypesAre415: a media range is not a media type; on
// every body-taking operation it is a 415 unsupported_media_type in the
// Error shape, never a 500, and nothing is logged as an error.
func TestWildcardContentTypesAre415(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		w := newSecWorld(t, backend)
		good := secCreds{key: alphaKey, bearer: w.victim.Token, jwt: w.victim.Token}
		tried := 0
		for _, op := range secOps {
			if op.body == "" {
				continue
			}
			c := good
			if op.creds == keyAndSrv {
				c.bearer = alphaServer
			}
			for _, ct := range wildcardTypes {
				tried++
				req := secRequest(t, w.s, op, c, w.plate, w.gate)
				req.Header.Set("Content-Type", ct)
				r := sendRaw(t, req)
				if code := wantErrorShape(t, r); r.status != http.StatusUnsupportedMediaType || code != httpapi.EUnsupportedMediaType {
					t.Errorf("%s with Content-Type %q: got %d %s, want 415", op.id, ct, r.status, r.body)
				}
			}
		}
		if logs := w.s.Log.String(); strings.Contains(logs, `"level":"ERROR"`) {
			t.Errorf("wildcard content types were logged as errors:\n%s", logs)
		}
		t.Logf("%d wildcard content types refused", tried)
	})
}
