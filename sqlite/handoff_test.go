package sqlite

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/delivery"
)

// fakeHandoff gives each transaction the room it was made with and keeps
// what is handed over; drop makes it lose everything (the dispatcher dies
// between the commit and the attempts).
type fakeHandoff struct {
	room   map[string]int
	lease  time.Duration
	drop   bool
	handed chan []delivery.Delivery
	missed chan bool
}

func newFakeHandoff(room map[string]int) *fakeHandoff {
	return &fakeHandoff{room: room, lease: time.Minute, handed: make(chan []delivery.Delivery, 10), missed: make(chan bool, 10)}
}

func (f *fakeHandoff) Reserve(written map[string]int) *delivery.Reservation {
	res := &delivery.Reservation{At: time.Now(), Lease: f.lease, Room: map[string]int{}}
	for id, n := range written {
		if r := min(n, f.room[id]); r > 0 {
			res.Room[id] = r
		}
	}
	return res
}

func (f *fakeHandoff) Deliver(_ *delivery.Reservation, leased []delivery.Delivery, missed bool) {
	f.missed <- missed
	if !f.drop {
		f.handed <- leased
	}
}

func (f *fakeHandoff) Release(_ *delivery.Reservation, missed bool) { f.missed <- missed }

func (f *fakeHandoff) next(t *testing.T) ([]delivery.Delivery, bool) {
	t.Helper()
	select {
	case missed := <-f.missed:
		select {
		case ds := <-f.handed:
			return ds, missed
		case <-time.After(time.Second):
			return nil, missed
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nothing handed over")
	}
	return nil, false
}

var handoffEndpoints = []delivery.Endpoint{
	{PartnerID: "p", WebhookID: "all", Fingerprint: "f1"},
	{PartnerID: "p", WebhookID: "vehicles", Events: []string{string(coord.EventVehicleUpdated)}, Fingerprint: "f2"},
}

func handoffRender(e *coord.Event) ([]byte, error) {
	plate := ""
	if e.User != nil && e.User.Vehicle != nil {
		plate = e.User.Vehicle.Plate.Text
	}
	return json.Marshal(map[string]any{"id": e.ID, "seq": e.Seq, "type": e.Type, "created": e.CreatedAt, "user": e.UserID,
		"partner": e.PartnerID, "test": e.Test, "plate": plate})
}

// handoffQueue makes endpoints db's, and a user of their partner.
func handoffQueue(t *testing.T, db *DB, endpoints []delivery.Endpoint, render delivery.Render, test bool) (*WebhookQueue, *coord.User) {
	t.Helper()
	sq, err := db.WebhookQueue(t.Context(), endpoints, render)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.UpsertUser(t.Context(), coord.UserProfile{PartnerID: "p", ExternalUID: "x", Test: test})
	if err != nil {
		t.Fatal(err)
	}
	return sq.(*WebhookQueue), u
}

func claimAll(t *testing.T, q delivery.Queue, now time.Time) []delivery.Delivery {
	t.Helper()
	ds, err := q.Claim(t.Context(), delivery.ClaimRequest{Now: now, Lease: time.Minute, Limit: 100,
		Want: map[string]int{"all": 50, "vehicles": 50}})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// The deliveries an API write creates are leased in its transaction and
// handed over with the bodies Claim would render (from the events in
// memory); Claim finds none of them while the lease holds, and every one of
// them once it has run out: a dispatcher that never attempts them (it
// crashed after the commit) loses nothing.
func TestAWritesDeliveriesAreHandedOverLeasedAndClaimedAfterTheLease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coord.db")
	db, err := Open(t.Context(), path, coord.StoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	q, u := handoffQueue(t, db, handoffEndpoints, handoffRender, true)
	before := claimAll(t, q, time.Now().Add(time.Second)) // anything before the handoff is Claim's
	h := newFakeHandoff(map[string]int{"all": 10, "vehicles": 10})
	q.SetHandoff(h)
	must(t, db.SetVehicle(t.Context(), u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc1", Country: "us"}}))
	handed, missed := h.next(t)
	if len(handed) != 2 || missed {
		t.Fatalf("handed over %+v (missed %v), want the vehicle event's two deliveries", handed, missed)
	}
	events, err := db.Events(t.Context(), coord.EventFilter{PartnerID: "p", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ev := events[len(events)-1]
	want, _ := handoffRender(ev)
	for _, d := range handed {
		if d.EventID != ev.ID || string(d.Body) != string(want) || d.Attempt != 1 || d.Claim == "" ||
			d.CreatedAt.UnixMilli() != ev.CreatedAt.UnixMilli() {
			t.Fatalf("handed over %+v body %s; want event %s's, body %s", d, d.Body, ev.ID, want)
		}
	}
	if ds := claimAll(t, q, time.Now().Add(time.Second)); len(ds) != 0 {
		t.Fatalf("claimed %+v under the handoff's lease", ds)
	}

	// The dispatcher dies before attempting them; the store restarts.
	h.drop = true
	must(t, db.SetVehicle(t.Context(), u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc2", Country: "us"}}))
	if _, missed := h.next(t); missed {
		t.Fatal("missed deliveries the room had place for")
	}
	must(t, db.Close())
	db = open(t, path, coord.StoreConfig{})
	sq, err := db.WebhookQueue(t.Context(), handoffEndpoints, handoffRender)
	if err != nil {
		t.Fatal(err)
	}
	after := claimAll(t, sq, time.Now().Add(2*time.Minute))
	if len(after) != 4+len(before) {
		t.Fatalf("claimed %d after the leases ran out, want the 4 handed over and the %d claimed before", len(after), len(before))
	}
	for _, d := range after {
		if d.EventID == handed[0].EventID && d.ID == handed[0].ID {
			if string(d.Body) != string(handed[0].Body) {
				t.Fatalf("claimed body %s, handed over %s", d.Body, handed[0].Body)
			}
		}
	}
	// A record under the handoff's claim after another claim took over is stale.
	if err := sq.Record(t.Context(), handed[0], delivery.Outcome{State: delivery.Delivered, AttemptedAt: time.Now()}); !errors.Is(err, delivery.ErrStaleClaim) {
		t.Fatalf("the handoff's record after the lease was taken over: %v, want ErrStaleClaim", err)
	}
}

// What the dispatcher has no room for, or an endpoint disabled by a 410,
// is not leased: Claim finds it at once (and is told to look).
func TestAHandoffLeasesNoMoreThanTheRoom(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	q, u := handoffQueue(t, db, handoffEndpoints, handoffRender, false)
	claimAll(t, q, time.Now().Add(time.Second))
	h := newFakeHandoff(map[string]int{"all": 1})
	q.SetHandoff(h)
	must(t, db.SetVehicle(t.Context(), u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc1", Country: "us"}}))
	handed, missed := h.next(t)
	if len(handed) != 1 || handed[0].WebhookID != "all" || !missed {
		t.Fatalf("handed over %+v (missed %v), want all's and the other missed", handed, missed)
	}
	ds := claimAll(t, q, time.Now().Add(time.Second))
	if len(ds) != 1 || ds[0].WebhookID != "vehicles" {
		t.Fatalf("claimed %+v, want the vehicles delivery the handoff had no room for", ds)
	}

	// all answers 410: its later deliveries are Claim's (which skips them).
	must(t, q.Record(t.Context(), handed[0], delivery.Outcome{State: delivery.Disabled, AttemptedAt: time.Now(), StatusCode: 410}))
	h.room = map[string]int{"all": 10, "vehicles": 10}
	must(t, db.SetVehicle(t.Context(), u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc2", Country: "us"}}))
	handed, _ = h.next(t)
	if len(handed) != 1 || handed[0].WebhookID != "vehicles" {
		t.Fatalf("handed over %+v, want only vehicles' (all is disabled)", handed)
	}
	q.SetHandoff(nil)
	must(t, db.SetVehicle(t.Context(), u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc3", Country: "us"}}))
	if ds := claimAll(t, q, time.Now().Add(time.Second)); len(ds) != 1 || ds[0].WebhookID != "vehicles" {
		t.Fatalf("after the handoff stopped, claimed %+v; want the new vehicles delivery", ds)
	}
}

// A session's event is handed over with the body Claim renders from the
// stored event (the handoff renders it from the session the write stored,
// without decoding the event's data).
func TestASessionEventIsHandedOverAsClaimRendersIt(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	render := func(e *coord.Event) ([]byte, error) { return json.Marshal(e) }
	q, u := handoffQueue(t, db, handoffEndpoints[:1], render, true)
	h := newFakeHandoff(map[string]int{"all": 10})
	q.SetHandoff(h)
	s, _, err := db.CreateSession(t.Context(), coord.NewSession{UserID: u.UserID, LocationID: "l", ResourceID: "r1", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	started, _ := h.next(t)
	price := coord.Price{Rate: coord.Money{Amount: 600, Currency: "USD"}, RatePeriodM: 60, IncrementM: 1}
	if _, _, err := db.EndSession(t.Context(), coord.SessionRef{UserID: u.UserID, LocationID: "l", ID: s.ID}, price); err != nil {
		t.Fatal(err)
	}
	ended, _ := h.next(t)
	events, err := db.Events(t.Context(), coord.EventFilter{PartnerID: "p", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	handed := append(started, ended...)
	if len(handed) != 2 || len(events) < 2 {
		t.Fatalf("handed over %d, %d events; want the start's and the end's", len(handed), len(events))
	}
	for i, d := range handed {
		ev := events[len(events)-2+i]
		want, _ := render(ev)
		if d.EventID != ev.ID || ev.Session == nil || string(d.Body) != string(want) {
			t.Fatalf("handed over %s:\n%s\nwant Claim's render of %s:\n%s", d.EventID, d.Body, ev.ID, want)
		}
	}
}

// An endpoint a 410 disabled stays disabled for the handoff after a
// restart while its fingerprint is the same: its deliveries are written
// (the backlog for when the catalog changes it), never leased; a new
// fingerprint re-enables it.
func TestADisabledEndpointIsNotLeasedAfterARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coord.db")
	db := open(t, path, coord.StoreConfig{})
	q, u := handoffQueue(t, db, handoffEndpoints[:1], handoffRender, false)
	h := newFakeHandoff(map[string]int{"all": 10})
	q.SetHandoff(h)
	must(t, db.SetVehicle(t.Context(), u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc1", Country: "us"}}))
	handed, _ := h.next(t)
	if len(handed) != 1 {
		t.Fatalf("handed over %+v, want one delivery", handed)
	}
	must(t, q.Record(t.Context(), handed[0], delivery.Outcome{State: delivery.Disabled, AttemptedAt: time.Now(), StatusCode: 410}))
	q.SetHandoff(nil)
	must(t, db.Close())

	db = open(t, path, coord.StoreConfig{})
	q, _ = handoffQueue(t, db, handoffEndpoints[:1], handoffRender, false)
	h = newFakeHandoff(map[string]int{"all": 10})
	q.SetHandoff(h)
	must(t, db.SetVehicle(t.Context(), u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc2", Country: "us"}}))
	select {
	case <-h.missed:
		t.Fatal("the disabled endpoint's delivery went to the handoff")
	case <-time.After(200 * time.Millisecond):
	}
	if n := pendingDeliveries(t, db); n != 1 {
		t.Fatalf("%d pending deliveries, want the disabled endpoint's new one written", n)
	}
	q.SetHandoff(nil)

	refreshed := []delivery.Endpoint{handoffEndpoints[0]}
	refreshed[0].Fingerprint = "f1-new-url"
	q, _ = handoffQueue(t, db, refreshed, handoffRender, false)
	q.SetHandoff(h)
	must(t, db.SetVehicle(t.Context(), u.UserID, coord.Vehicle{Plate: coord.LicensePlate{Text: "abc3", Country: "us"}}))
	if handed, _ := h.next(t); len(handed) != 1 {
		t.Fatalf("handed over %+v after the catalog changed the endpoint, want its new delivery", handed)
	}
}

// A delivery enqueued (a ping) is written with its batch's and handed
// over like them, its body as given.
func TestAnEnqueuedDeliveryIsHandedOver(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "coord.db"), coord.StoreConfig{})
	q, _ := handoffQueue(t, db, handoffEndpoints[:1], handoffRender, false)
	h := newFakeHandoff(map[string]int{"all": 10})
	q.SetHandoff(h)
	must(t, q.Enqueue(t.Context(), "all", "msg_ping", []byte(`{"type":"webhook.ping"}`)))
	handed, missed := h.next(t)
	if len(handed) != 1 || missed || handed[0].EventID != "msg_ping" || string(handed[0].Body) != `{"type":"webhook.ping"}` ||
		handed[0].Claim == "" || handed[0].Attempt != 1 {
		t.Fatalf("handed over %+v (missed %v), want the ping", handed, missed)
	}
}

func pendingDeliveries(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	must(t, db.reader.QueryRowContext(t.Context(), `SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'`).Scan(&n))
	return n
}
