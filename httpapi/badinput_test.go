package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/httpapi"
	"github.com/coordapi/coord/internal/apitest"
)

// TestBadInputGetsAClearError sends malformed requests as raw HTTP: each gets
// the expected 4xx in the Error shape (the validating client also checks the
// body against the spec), never a 500.
func TestBadInputGetsAClearError(t *testing.T) {
	s := apitest.New(t, "sqlite", apitest.Options{})
	u := s.NewUser(t, "bad@example.com", true)
	s.Link(t, u, "gatepark")
	created := start(t, s, u, gateLot)
	sid := strconv.FormatInt(created.ID, 10)

	tests := []struct {
		name, method, path, body, contentType string
		status                                int
		code                                  string
	}{
		{"non-numeric session id", "GET", "/riverside-lot/session/abc", "", "", 400, coord.EInvalid},
		{"negative session id", "GET", "/riverside-lot/session/-3", "", "", 422, coord.EValidation},
		{"zero session id", "GET", "/riverside-lot/session/0", "", "", 422, coord.EValidation},
		{"session id over int64", "GET", "/riverside-lot/session/99999999999999999999", "", "", 400, coord.EInvalid},
		{"unknown location", "GET", "/no-such-lot/session/1", "", "", 404, coord.ENotFound},
		{"location id outside the pattern", "GET", "/%27%3B%20DROP%20TABLE%20sessions%3B--/session", "", "", 422, coord.EValidation},
		{"limit zero", "GET", "/session?limit=0", "", "", 422, coord.EValidation},
		{"limit over 100", "GET", "/session?limit=101", "", "", 422, coord.EValidation},
		{"limit not a number", "GET", "/session?limit=ten", "", "", 400, coord.EInvalid},
		{"before_id negative", "GET", "/session?before_id=-1", "", "", 422, coord.EValidation},
		{"malformed JSON", "POST", "/downtown-garage/session", `{"resource_id":`, "application/json", 400, coord.EInvalid},
		{"wrong JSON type", "POST", "/downtown-garage/session", `{"resource_id":42}`, "application/json", 400, coord.EInvalid},
		{"not JSON", "POST", "/downtown-garage/session", `resource_id=1`, "text/plain", 415, httpapi.EUnsupportedMediaType},
		{"duration_m over 1440", "POST", "/testing/riverside-lot/" + sid + "/simulate_redemption", `{"duration_m":1441}`, "application/json", 422, coord.EValidation},
		{"duration_m negative", "POST", "/testing/riverside-lot/" + sid + "/simulate_redemption", `{"duration_m":-1}`, "application/json", 422, coord.EValidation},
		{"duration_m missing", "POST", "/testing/riverside-lot/" + sid + "/simulate_redemption", `{}`, "application/json", 422, coord.EValidation},
		{"simulate without a body", "POST", "/testing/riverside-lot/" + sid + "/simulate_redemption", ``, "application/json", 422, coord.EValidation},
		{"wrong method", "DELETE", "/downtown-garage/session", "", "", 405, httpapi.EMethodNotAllowed},
		{"unknown route", "GET", "/downtown-garage/sessions", "", "", 404, coord.ENotFound},
	}
	hc := apitest.ValidatingClient(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sep := "?"
			if strings.Contains(tt.path, "?") {
				sep = "&"
			}
			req, err := http.NewRequest(tt.method, s.URL+"/v1/users"+tt.path+sep+"access_key="+apitest.DemoAccessKey, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+u.Token)
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			var e struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(body, &e); err != nil || e.Code == "" || e.Message == "" {
				t.Fatalf("%d body is not the Error shape: %s", resp.StatusCode, body)
			}
			if resp.StatusCode != tt.status || e.Code != tt.code {
				t.Fatalf("got %d %s (%s), want %d %s", resp.StatusCode, e.Code, e.Message, tt.status, tt.code)
			}
		})
	}
	// The rejected requests changed nothing: the one pending session is still the only one.
	if got := get(t, s, u, gateLot, created.ID); got.Status != "pending" {
		t.Fatalf("session changed to %s", got.Status)
	}
}
