package bench

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestConn checks the hand-written client against net/http's server: keep-alive
// reuse, a server that closes the connection, bodies of every size, the bearer.
func TestConn(t *testing.T) {
	big := strings.Repeat("x", 100_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/close":
			w.Header().Set("Connection", "close")
		case "/big":
			_, _ = w.Write([]byte(big))
			return
		case "/auth":
			_, _ = w.Write([]byte(r.Header.Get("Authorization")))
			return
		}
		_, _ = w.Write([]byte(r.Method + " " + r.URL.RequestURI()))
	}))
	defer srv.Close()
	c := NewConn(strings.TrimPrefix(srv.URL, "http://"))
	defer c.Close()
	for _, tc := range []struct{ method, target, auth, want string }{
		{"GET", "/a?x=1", "", "GET /a?x=1"},
		{"POST", "/b", "", "POST /b"},
		{"GET", "/close", "", "GET /close"},
		{"PUT", "/c", "", "PUT /c"},
		{"GET", "/auth", "tok", "Bearer tok"},
		{"GET", "/big", "", big},
	} {
		status, body, err := c.Do(tc.method, tc.target, tc.auth)
		if err != nil || status != 200 || string(body) != tc.want {
			t.Errorf("%s %s = %d %.40q %v, want 200 %.40q", tc.method, tc.target, status, body, err, tc.want)
		}
	}
}

func TestQuantile(t *testing.T) {
	sorted := make([]int, 1000)
	for i := range sorted {
		sorted[i] = i + 1
	}
	for _, tc := range []struct {
		q    float64
		want int
	}{{0.5, 500}, {0.99, 990}, {0.999, 999}, {1, 1000}} {
		if got := quantile(sorted, tc.q); got != tc.want {
			t.Errorf("quantile(%v) = %d, want %d", tc.q, got, tc.want)
		}
	}
}
