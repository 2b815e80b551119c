package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/coordapi/coord/httpapi"
	"github.com/coordapi/coord/internal/apitest"
)

// benchHandler is the handler as the server runs it (JSON access log at
// info, to nowhere) over the test server's store, called in process: what
// it measures is the handler's own CPU and allocations, without a network.
func benchHandler(b *testing.B, s *apitest.Server) http.Handler {
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	h, err := httpapi.New(apitest.NewAPI(b), apitest.Deps(s.Service, s.Store, s.Clock, log))
	if err != nil {
		b.Fatal(err)
	}
	return h
}

func serveBench(b *testing.B, h http.Handler, target, token string) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
	}
}

// BenchmarkGetSession is one poll: get_session of an active session, on
// each backend (PostgreSQL's with COORD_TEST_POSTGRES).
func BenchmarkGetSession(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			s := apitest.New(b, backend, apitest.Options{})
			u := s.NewUser(b, "poll@example.com", true)
			id := start(b, s, u, plateLot).ID
			serveBench(b, benchHandler(b, s), "/v1/users/"+plateLot+"/session/"+strconv.FormatInt(id, 10)+
				"?access_key="+apitest.DemoAccessKey, u.Token)
		})
	}
}

// BenchmarkListSessions is get_user_sessions' default first page, full (50 ended sessions).
func BenchmarkListSessions(b *testing.B) {
	s := apitest.New(b, "sqlite", apitest.Options{})
	u := s.NewUser(b, "list@example.com", true)
	for range 50 {
		id := start(b, s, u, plateLot).ID
		if _, err := end(s, u, plateLot, id); err != nil {
			b.Fatal(err)
		}
	}
	serveBench(b, benchHandler(b, s), "/v1/users/session?access_key="+apitest.DemoAccessKey, u.Token)
}
