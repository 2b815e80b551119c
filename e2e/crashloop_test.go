package e2e

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-openapi/runtime"
	httptransport "github.com/go-openapi/runtime/client"
	"github.com/go-openapi/strfmt"
	_ "modernc.org/sqlite" // the read-only view of the file the server writes

	"github.com/coordapi/coord/client/events"
	"github.com/coordapi/coord/client/sessions"
	"github.com/coordapi/coord/models"
)

// crashCatalog bills from the first minute (no grace), so that every
// session has a non-zero cost the check can compare.
const crashCatalog = `
partners:
  - id: demo
    name: Crash Partner
    access_keys: [demo-access-key]
    server_tokens: [demo-server-token]
    redirect_uri_prefixes: ["https://example.com/callback"]
    # The loop and the check after it run far past the default 1,000 per
    # second on one access key; a 429 there would read as a lost session.
    rate_limit: {requests_per_second: 100000, burst: 100000}
systems:
  - id: crashpark
    name: Crash Park
    requirements: {jwt_claims: [email], users_api_fields: [vehicle.license_plate.text]}
    locations:
      - {id: crash-garage, name: Crash Garage, time_zone: UTC, online_access_type: license_plate,
         price: {rate: {amount: 6000, currency: USD}, rate_period_m: 60, increment_m: 1}}
`

const crashLot = "crash-garage"

// TestCrashLoopLosesNothing runs a lifecycle load (post_session → get_session
// → end_session, several concurrent clients) against the SQLite server and
// kills it with SIGKILL at a random moment 20 times, restarting it on the
// same file each time. Clients retry every step until it is acknowledged
// (post_session with the same Idempotency-Key, so a create the server
// committed but never answered is found again rather than duplicated).
//
// What is checked afterwards, for every session the clients know:
//   - its last acknowledged state (a 200 from any of the three calls) is
//     final if it said "ended": the session reads back byte-for-byte
//     identical, end_time and cost included;
//   - an acknowledged state that was not yet "ended" may only have moved on
//     by being ended, and only if the client had sent end_session for it; its
//     id, user, location, resource and start_time never change (every client
//     finishes its cycle, so in practice each session ends acknowledged);
//   - ending it again returns the same bill;
//   - in the file itself: no user has two open sessions, the sessions are
//     exactly the acknowledged ones (none lost, none duplicated by a retried
//     create), and each stored cost is the acknowledged one.
//
// The server commits concurrent writes together (group commit: one COMMIT
// for a batch, each caller answered after it); its commit counters, scraped
// before each kill, show that the kills fell on batched writes.
func TestCrashLoopLosesNothing(t *testing.T) {
	const kills, clients = 20, 6
	dir := t.TempDir()
	db, catalogFile := filepath.Join(dir, "coord.db"), filepath.Join(dir, "catalog.yaml")
	if err := os.WriteFile(catalogFile, []byte(crashCatalog), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--db", db, "--catalog", catalogFile}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))

	var current atomic.Pointer[server]
	current.Store(startServer(t, args...))
	auths := make([]runtime.ClientAuthInfoWriter, clients)
	for i := range auths {
		auths[i] = newTestDriver(t, current.Load(), fmt.Sprintf("crash-%d@example.com", i))
	}

	load := &crashLoad{t: t, current: &current, seen: map[int64]*acked{}, stop: make(chan struct{})}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() { load.client(c, auths[c]) })
	}
	stopClients := sync.OnceFunc(func() { close(load.stop); wg.Wait() })
	defer stopClients() // also when a restart fails the test

	var commits, writes float64 // the servers' group-commit counters, summed over their lives
	countCommits := func() {
		c, w := scrapeCommits(t, current.Load())
		commits, writes = commits+c, writes+w
	}
	for range kills {
		time.Sleep(time.Duration(20+rng.IntN(400)) * time.Millisecond)
		countCommits()
		current.Load().kill()
		current.Store(startServer(t, args...))
	}
	time.Sleep(200 * time.Millisecond) // some acknowledged traffic after the last restart too
	stopClients()
	countCommits()
	if t.Failed() {
		return
	}

	srv := current.Load()
	var created, ended int
	for id, a := range load.seen {
		a.check(t, srv, id)
		created++
		if a.lastStatus() == "ended" {
			ended++
		}
	}
	checkFile(t, db, load.seen)
	checkEvents(t, srv, load.seen)
	t.Logf("%d SIGKILLs survived; %d sessions acknowledged (%d ended and billed), %d acknowledged responses; "+
		"%d attempts failed at the transport (server killed or restarting) and were retried; "+
		"committed but unanswered before a kill, then found again by the retry: %d creates, %d ends; nothing lost",
		kills, created, ended, load.acks.Load(), load.retries.Load(), load.unansweredCreates.Load(), load.unansweredEnds.Load())
	if created < kills {
		t.Errorf("only %d sessions in %d restarts: the load barely ran", created, kills)
	}
	// Six clients writing at once share commits: the kills fell on batches.
	t.Logf("%.0f write requests in %.0f commits (scraped before each kill)", writes, commits)
	if writes >= 200 && commits >= writes {
		t.Errorf("%.0f write requests took %.0f commits: no batch, group commit was not exercised", writes, commits)
	}
}

// scrapeCommits reads the server's coord_sqlite_commits_total and
// coord_sqlite_writes_total; zeros if the scrape fails (it is only logged).
func scrapeCommits(t *testing.T, s *server) (commits, writes float64) {
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Logf("scrape: %v", err)
		return 0, 0
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Logf("scrape: %v", err)
		return 0, 0
	}
	for _, line := range strings.Split(string(body), "\n") {
		name, value, _ := strings.Cut(line, " ")
		v, _ := strconv.ParseFloat(value, 64)
		switch name {
		case "coord_sqlite_commits_total":
			commits = v
		case "coord_sqlite_writes_total":
			writes = v
		}
	}
	return commits, writes
}

// crashLoad is the clients' shared view: the live server and every
// acknowledged session.
type crashLoad struct {
	t       *testing.T
	current *atomic.Pointer[server]
	stop    chan struct{}

	mu   sync.Mutex
	seen map[int64]*acked

	acks, retries atomic.Int64
	// writes a kill cut off after they were committed, answered to the retry
	unansweredCreates, unansweredEnds atomic.Int64
}

// acked is what the clients know about one session.
type acked struct {
	first     *models.Session // the post_session answer
	last      *models.Session // the latest 200 for it
	endSent   bool            // an end_session went out (answered or not)
	auth      runtime.ClientAuthInfoWriter
	createdBy string // the Idempotency-Key, for messages
}

func (a *acked) lastStatus() string { return a.last.Status }

// client runs cycles until stopped; a cycle it has begun it finishes, so
// every session ends acknowledged.
func (l *crashLoad) client(c int, auth runtime.ClientAuthInfoWriter) {
	for n := 0; ; n++ {
		select {
		case <-l.stop:
			return
		default:
		}
		key := fmt.Sprintf("crash-%d-%d", c, n)
		resource := fmt.Sprintf("R%d-%d", c, n)
		var s *models.Session
		retried, sent, ok := l.untilAcked(func(srv *server) error {
			ok, err := srv.Client.Sessions.PostSession(sessions.NewPostSessionParams().WithLocationID(crashLot).
				WithIdempotencyKey(&key).WithBody(&models.NewSession{ResourceID: resource}), auth)
			if err == nil {
				s = ok.Payload
			}
			return err
		})
		if !ok {
			return
		}
		if committedEarlier(retried, sent, s.StartTime) {
			l.unansweredCreates.Add(1)
		}
		a := &acked{first: s, last: s, auth: auth, createdBy: key}
		l.record(a, s)

		if _, _, ok := l.untilAcked(func(srv *server) error {
			ok, err := srv.Client.Sessions.GetSession(sessions.NewGetSessionParams().WithLocationID(crashLot).WithSessionID(s.ID), auth)
			if err == nil {
				l.record(a, ok.Payload)
			}
			return err
		}); !ok {
			return
		}
		var e *models.Session
		retried, sent, ok = l.untilAcked(func(srv *server) error {
			l.mu.Lock()
			a.endSent = true
			l.mu.Unlock()
			ok, err := srv.Client.Sessions.EndSession(sessions.NewEndSessionParams().WithLocationID(crashLot).WithSessionID(s.ID), auth)
			if err == nil {
				e = ok.Payload
				l.record(a, e)
			}
			return err
		})
		if !ok {
			return
		}
		if committedEarlier(retried, sent, e.EndTime) {
			l.unansweredEnds.Add(1)
		}
	}
}

// untilAcked retries call on whichever server is live until it answers
// 200 (for a minute at most: if the test dies restarting the server, the
// clients end too). It reports whether an earlier attempt was cut off, and when the
// answered attempt was sent. An answer other than 200 fails the test
// (reported by the validating client or here) and stops the client: with
// idempotent retries there should be none, not even a 409.
func (l *crashLoad) untilAcked(call func(*server) error) (retried bool, sent time.Time, ok bool) {
	for deadline := time.Now().Add(time.Minute); ; {
		sent = time.Now()
		err := call(l.current.Load())
		if err == nil {
			l.acks.Add(1)
			return retried, sent, true
		}
		if status := statusOf(err); status != 0 {
			l.t.Errorf("an answer other than 200 during the crash loop: %d %v", status, err)
			return retried, sent, false
		}
		if time.Now().After(deadline) {
			l.t.Errorf("no server answered for a minute: %v", err)
			return retried, sent, false
		}
		retried = true
		l.retries.Add(1)
		time.Sleep(5 * time.Millisecond) // the server is being killed or restarted
	}
}

// committedEarlier reports whether a retried write had already been
// committed by an attempt a kill cut off: its recorded time is before the
// answered attempt was sent (same machine, same clock).
func committedEarlier(retried bool, sent time.Time, at *strfmt.DateTime) bool {
	return retried && at != nil && time.Time(*at).Before(sent.Truncate(time.Millisecond))
}

// record keeps s as a's latest acknowledged state, and fails at once if an
// acknowledged ended session is ever answered differently (a second bill).
func (l *crashLoad) record(a *acked, s *models.Session) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if a.last.Status == "ended" && wire(a.last) != wire(s) {
		l.t.Errorf("session %d changed after it was acknowledged ended:\n%s\n%s", s.ID, wire(a.last), wire(s))
	}
	a.last = s
	l.seen[s.ID] = a
}

// check applies the rule of the test's comment to one session.
func (a *acked) check(t *testing.T, srv *server, id int64) {
	t.Helper()
	ok, err := srv.Client.Sessions.GetSession(sessions.NewGetSessionParams().WithLocationID(crashLot).WithSessionID(id), a.auth)
	if err != nil {
		t.Errorf("session %d (key %s) acknowledged but not readable after the crashes: %v", id, a.createdBy, err)
		return
	}
	got := ok.Payload
	switch {
	case a.lastStatus() == "ended" && wire(got) != wire(a.last):
		t.Errorf("ended session %d reads back differently:\nacknowledged %s\nread back    %s", id, wire(a.last), wire(got))
	case a.lastStatus() != "ended" && wire(got) != wire(a.last) && !(a.endSent && got.Status == "ended"):
		t.Errorf("session %d changed without an end_session:\nacknowledged %s\nread back    %s", id, wire(a.last), wire(got))
	case identity(got) != identity(a.first):
		t.Errorf("session %d is not the one created:\ncreated   %s\nread back %s", id, wire(a.first), wire(got))
	}
	again, err := srv.Client.Sessions.EndSession(sessions.NewEndSessionParams().WithLocationID(crashLot).WithSessionID(id), a.auth)
	if err != nil || wire(again.Payload) != wire(got) {
		t.Errorf("ending session %d again: %v, %s; want it unchanged: %s", id, err, wireOrNil(again), wire(got))
	}
}

// identity is what never changes about a session once created.
func identity(s *models.Session) string {
	b, _ := json.Marshal([]any{s.ID, s.UserID, s.LocationID, s.ResourceID, s.StartTime})
	return string(b)
}

func wireOrNil(ok *sessions.EndSessionOK) string {
	if ok == nil {
		return "nil"
	}
	return wire(ok.Payload)
}

// checkFile reads the database file directly, read-only, beside the live
// server: the invariants hold in the stored rows, not only in the API.
func checkFile(t *testing.T, path string, seen map[int64]*acked) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	var twice int
	if err := db.QueryRow(`SELECT count(*) FROM (SELECT user_id FROM sessions
		WHERE status IN ('pending', 'active') GROUP BY user_id HAVING count(*) > 1)`).Scan(&twice); err != nil {
		t.Fatal(err)
	}
	if twice != 0 {
		t.Errorf("%d users have two open sessions in the file", twice)
	}

	rows, err := db.Query(`SELECT id, status, cost_amount FROM sessions ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var stored []int64
	for rows.Next() {
		var id int64
		var status string
		var cost sql.NullInt64
		if err := rows.Scan(&id, &status, &cost); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, id)
		a, ok := seen[id]
		switch {
		case !ok:
			t.Errorf("session %d (%s) is in the file but no client was ever told of it: a retried create duplicated it", id, status)
		case a.lastStatus() == "ended" && (!cost.Valid || cost.Int64 != *a.last.BillingInfo.Cost.Amount):
			t.Errorf("session %d stores cost %v, acknowledged %d", id, cost, *a.last.BillingInfo.Cost.Amount)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(seen) {
		ids := make([]int64, 0, len(seen))
		for id := range seen {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		t.Errorf("the file holds %d sessions, the clients acknowledged %d:\nfile  %v\nacked %v", len(stored), len(seen), stored, ids)
	}
}

// checkEvents pages the event feed after the crashes: every acknowledged
// change has its event, exactly once (the event commits with its change),
// and the feed's seqs have no gaps.
func checkEvents(t *testing.T, srv *server, seen map[int64]*acked) {
	t.Helper()
	auth := httptransport.Compose(httptransport.APIKeyAuth("access_key", "query", "demo-access-key"),
		httptransport.APIKeyAuth("Authorization", "header", "Bearer demo-server-token"))
	created, ended := map[int64]int{}, map[int64]*models.Session{}
	var after int64
	for {
		limit := int32(500)
		ok, err := srv.Client.Events.ListEvents(events.NewListEventsParams().WithAfter(&after).WithLimit(&limit), auth)
		if err != nil {
			t.Fatalf("list_events after the crashes: %v", err)
		}
		for _, e := range ok.Payload {
			if e.Seq != after+1 {
				t.Fatalf("the feed skips from seq %d to %d", after, e.Seq)
			}
			after = e.Seq
			s := e.Data.Session
			switch e.Type {
			case "session.created":
				created[s.ID]++
			case "session.ended":
				if ended[s.ID] != nil {
					t.Errorf("session %d has two session.ended events", s.ID)
				}
				ended[s.ID] = s
			}
		}
		if len(ok.Payload) == 0 {
			break
		}
	}
	for id, a := range seen {
		if created[id] != 1 {
			t.Errorf("session %d has %d session.created events, want 1", id, created[id])
		}
		if a.lastStatus() == "ended" {
			e := ended[id]
			if e == nil || *e.BillingInfo.Cost.Amount != *a.last.BillingInfo.Cost.Amount {
				t.Errorf("session %d ended acknowledged, its session.ended event: %v", id, wireOrNilSession(e))
			}
		}
	}
	if len(created) != len(seen) {
		t.Errorf("%d sessions have a session.created event, the clients acknowledged %d", len(created), len(seen))
	}
	t.Logf("%d events in the feed after the crashes, each acknowledged change with its event", after)
}

func wireOrNilSession(s *models.Session) string {
	if s == nil {
		return "none"
	}
	return wire(s)
}
