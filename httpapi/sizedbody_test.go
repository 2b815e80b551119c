package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/coordapi/coord/internal/apitest"
)

// TestListsAreSentSized: both list operations send a long page (well over
// net/http's 2 KiB buffer) with its Content-Length, not chunked, and the
// body is the page.
func TestListsAreSentSized(t *testing.T) {
	s := apitest.New(t, "sqlite", apitest.Options{})
	u := s.NewUser(t, "sized@example.com", false)
	for range 30 {
		id := start(t, s, u, plateLot).ID
		if _, err := end(s, u, plateLot, id); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{"/v1/users/session", "/v1/users/" + plateLot + "/session"} {
		req, err := http.NewRequest(http.MethodGet, s.URL+path+"?access_key="+apitest.DemoAccessKey, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+u.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		var page []map[string]any
		if err := json.Unmarshal(body, &page); err != nil || len(page) != 30 || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d, %d sessions (%v): %.200s", path, resp.StatusCode, len(page), err, body)
		}
		if len(body) < 4096 || len(resp.TransferEncoding) != 0 ||
			resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Errorf("%s: %d bytes sent with Transfer-Encoding %v, Content-Length %q",
				path, len(body), resp.TransferEncoding, resp.Header.Get("Content-Length"))
		}
	}
}
