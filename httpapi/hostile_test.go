package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/coordapi/coord/internal/apitest"
)

// rawResponse is one answer, read in full.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// sendRaw sends req as is, without following redirects, and reads the answer.
func sendRaw(t testing.TB, req *http.Request) rawResponse {
	t.Helper()
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return readRaw(t, req, resp)
}

// readRaw reads resp and checks it against swagger.yaml.
func readRaw(t testing.TB, req *http.Request, resp *http.Response) rawResponse {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", req.Method, req.URL, err)
	}
	if err := apitest.CheckResponse(req, resp.StatusCode, resp.Header, body); err != nil {
		t.Errorf("spec violation: %v", err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: body}
}

// wantErrorShape fails unless r is a JSON body in the Error shape, and
// returns its code.
func wantErrorShape(t testing.TB, r rawResponse) string {
	t.Helper()
	var e struct {
		Code    *string  `json:"code"`
		Message *string  `json:"message"`
		Details []string `json:"details"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Code == nil || *e.Code == "" || e.Message == nil || *e.Message == "" {
		t.Fatalf("%d: the body is not in the Error shape: %q", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%d %s: Content-Type %q", r.status, *e.Code, ct)
	}
	return *e.Code
}
