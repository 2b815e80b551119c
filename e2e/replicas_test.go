package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-openapi/runtime"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coordapi/coord/client/sessions"
	"github.com/coordapi/coord/internal/apitest"
)

// TestTwoReplicasKeepEveryInvariant runs two users-server processes on one
// PostgreSQL schema and sends 64 concurrent clients at them, alternately, for
// the same 16 users, while a watcher checks in the database that no user ever
// has two open sessions. No request may get a 5xx, and every session is
// billed once: all end_session answers for a session agree.
func TestTwoReplicasKeepEveryInvariant(t *testing.T) {
	dsn := postgresSchema(t)
	replicas := []*server{startServer(t, "--db", dsn), startServer(t, "--db", dsn)}

	const users, clients, rounds = 16, 64, 8
	auths := make([]runtime.ClientAuthInfoWriter, users)
	for i := range auths {
		// Minted by one replica, used on both: the signing key lives in the database.
		auths[i] = newTestDriver(t, replicas[i%2], fmt.Sprintf("replica-%d@example.com", i))
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var violations, checks atomic.Int64
	watcher := make(chan struct{})
	go func() {
		defer close(watcher)
		for ctx.Err() == nil {
			var n int
			err := pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT user_id FROM sessions
				WHERE status IN ('pending', 'active') GROUP BY user_id HAVING count(*) > 1) twice`).Scan(&n)
			if err == nil {
				checks.Add(1)
				violations.Add(int64(n))
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()

	var (
		mu        sync.Mutex
		bills     = map[int64]string{}
		started   atomic.Int64
		conflicts atomic.Int64
	)
	failures := make(chan error, clients*rounds*3)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			auth := auths[c%users]
			for r := range rounds {
				srv, other := replicas[(c+r)%2], replicas[(c+r+1)%2]
				ok, err := srv.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID("downtown-garage"), auth)
				if err != nil {
					if status := statusOf(err); status == http.StatusConflict {
						conflicts.Add(1)
					} else {
						failures <- fmt.Errorf("post_session: %d %v", status, err)
					}
					continue
				}
				started.Add(1)
				id := ok.Payload.ID
				if _, err := other.Client.Sessions.GetSession(sessions.NewGetSessionParams().WithLocationID("downtown-garage").WithSessionID(id), auth); err != nil {
					failures <- fmt.Errorf("get_session %d on the other replica: %v", id, err)
				}
				// Both replicas end it at once: one bill, two identical answers.
				var ends sync.WaitGroup
				for _, s := range []*server{srv, other} {
					ends.Add(1)
					go func() {
						defer ends.Done()
						ended, err := s.Client.Sessions.EndSession(sessions.NewEndSessionParams().WithLocationID("downtown-garage").WithSessionID(id), auth)
						if err != nil {
							failures <- fmt.Errorf("end_session %d: %v", id, err)
							return
						}
						bill := wire(ended.Payload)
						mu.Lock()
						defer mu.Unlock()
						if prev, seen := bills[id]; seen && prev != bill {
							failures <- fmt.Errorf("session %d billed twice:\n%s\n%s", id, prev, bill)
						}
						bills[id] = bill
					}()
				}
				ends.Wait()
			}
		}()
	}
	wg.Wait()
	cancel()
	<-watcher
	close(failures)
	for err := range failures {
		t.Error(err)
	}
	if violations.Load() != 0 {
		t.Fatalf("the watcher saw a user with two open sessions %d times", violations.Load())
	}
	if checks.Load() == 0 || started.Load() == 0 {
		t.Fatalf("nothing checked: %d database checks, %d sessions", checks.Load(), started.Load())
	}
	t.Logf("%d sessions started and billed once, %d conflicts, %d database checks", started.Load(), conflicts.Load(), checks.Load())

	// A replica killed right after acknowledging a write loses nothing, and the other keeps serving.
	created, err := replicas[0].Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID("downtown-garage"), auths[0])
	if err != nil {
		t.Fatal(err)
	}
	replicas[0].kill()
	got := readSession(t, replicas[1], auths[0], created.Payload.ID)
	if wire(got) != wire(created.Payload) {
		t.Fatalf("the session acknowledged by the killed replica differs:\n%s\n%s", wire(created.Payload), wire(got))
	}
	if _, err := replicas[1].Client.Sessions.EndSession(sessions.NewEndSessionParams().WithLocationID("downtown-garage").WithSessionID(created.Payload.ID), auths[0]); err != nil {
		t.Fatalf("the surviving replica does not serve: %v", err)
	}
}

// TestDatabaseOutageGives503AndRecovers cuts the server's connection to
// PostgreSQL: requests get 503 unavailable in the Error shape and /readyz
// fails; when the database is back the server recovers without a restart.
func TestDatabaseOutageGives503AndRecovers(t *testing.T) {
	dsn, proxy := proxiedDSN(t, postgresSchema(t))
	srv := startServer(t, "--db", dsn)
	auth := newTestDriver(t, srv, "outage@example.com")
	created, err := srv.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID("downtown-garage"), auth)
	if err != nil {
		t.Fatal(err)
	}
	params := sessions.NewGetSessionParams().WithLocationID("downtown-garage").WithSessionID(created.Payload.ID)

	proxy.cut()
	_, err = srv.Client.Sessions.GetSession(params, auth)
	apitest.WantFailure(t, err, http.StatusServiceUnavailable, "unavailable")
	if status := readyz(t, srv); status != http.StatusServiceUnavailable {
		t.Fatalf("/readyz %d during the outage, want 503", status)
	}

	proxy.restore()
	deadline := time.Now().Add(15 * time.Second)
	for readyz(t, srv) != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not recover within 15s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := srv.Client.Sessions.GetSession(params, auth); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
}

func readyz(t *testing.T, srv *server) int {
	t.Helper()
	resp, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// statusOf is the HTTP status of a generated client error, 0 for transport errors.
func statusOf(err error) int {
	var apiErr apitest.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code()
	}
	return 0
}
