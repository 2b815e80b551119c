package httpapi

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-openapi/runtime"
	"github.com/go-openapi/strfmt"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
	"github.com/coordapi/coord/models"
)

func fullEvent(s *models.Session) *models.Event {
	return &models.Event{CreatedAt: strfmt.DateTime(time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.UTC)),
		Data: &models.EventData{Session: s}, ID: "evt_01JABCDEF", Seq: 1234567, Test: true,
		Type: string(coord.EventSessionEnded), UserID: "3f2b1c9e-6d4a-4e8b-9a7c-1b2c3d4e5f60"}
}

// EventJSON writes a session's event as the JSON producer (the feed's)
// does, byte for byte, and hands a user's to encoding/json, also as the
// producer does.
func TestEventJSONIsTheProducers(t *testing.T) {
	// A field added to the models must be added to fullEvent, and so to
	// appendEvent; the data's user is encoding/json's.
	full := reflect.ValueOf(*fullEvent(fullSession()))
	for i := range full.NumField() {
		if full.Field(i).IsZero() {
			t.Errorf("fullEvent leaves Event.%s unset", full.Type().Field(i).Name)
		}
	}
	if n := reflect.TypeFor[models.EventData]().NumField(); n != 2 {
		t.Errorf("EventData has %d fields; appendEvent knows session and user", n)
	}

	escapes := fullSession()
	escapes.LocationID = "a\"b\\c<d>&e\u2028f\x01g\né"
	odd := fullEvent(escapes)
	odd.ID, odd.Type, odd.UserID = "evt_<&>", "session.\"ended\"", "<not-a-uuid>"
	local := fullEvent(&models.Session{ID: 1, LocationID: "l", Status: "active", UserID: "u"})
	local.CreatedAt = strfmt.DateTime(time.Date(2026, 6, 1, 12, 0, 0, 1, time.FixedZone("X", 3600)))
	noData := fullEvent(nil)
	noData.Data = nil
	cases := map[string]*models.Event{
		"full":           fullEvent(fullSession()),
		"escapes":        odd,
		"a local time":   local,
		"empty data":     fullEvent(nil),
		"nil data":       noData,
		"zero":           {},
		"a zero session": fullEvent(&models.Session{}),
	}
	std := runtime.JSONProducer()
	for name, m := range cases {
		var want bytes.Buffer
		if err := std.Produce(&want, m); err != nil {
			t.Fatal(err)
		}
		got, ok := appendEvent(nil, m)
		if !ok || string(got) != strings.TrimSuffix(want.String(), "\n") {
			t.Errorf("%s (ok %v):\n got %s\nwant %s", name, ok, got, want.String())
		}
	}

	// A user's event, through encoding/json.
	svc := &coord.Service{Catalog: catalog.Demo()}
	e := &coord.Event{ID: "evt_u", Seq: 7, Type: coord.EventVehicleUpdated, CreatedAt: time.Unix(1700000000, 0).UTC(),
		UserID: "3f2b1c9e-6d4a-4e8b-9a7c-1b2c3d4e5f60", PartnerID: "demo",
		User: &coord.User{UserID: "3f2b1c9e-6d4a-4e8b-9a7c-1b2c3d4e5f60", PartnerID: "demo", ExternalUID: "x<&>y",
			Vehicle: &coord.Vehicle{Plate: coord.LicensePlate{Text: "ABC1", Country: "us"}}}}
	m := eventModel(svc, e)
	if _, ok := appendEvent(nil, m); ok {
		t.Fatal("appendEvent wrote a user's event")
	}
	var want bytes.Buffer
	if err := std.Produce(&want, m); err != nil {
		t.Fatal(err)
	}
	got, err := EventJSON(svc)(e)
	if err != nil || string(got) != strings.TrimSuffix(want.String(), "\n") {
		t.Errorf("user event: %v\n got %s\nwant %s", err, got, want.String())
	}
	// And a session's, through EventJSON itself.
	e = &coord.Event{ID: "evt_s", Seq: 8, Type: coord.EventSessionStarted, CreatedAt: time.Unix(1700000000, 0).UTC(),
		UserID: "3f2b1c9e-6d4a-4e8b-9a7c-1b2c3d4e5f60", Session: &coord.Session{ID: 9, LocationID: "l",
			UserID: "3f2b1c9e-6d4a-4e8b-9a7c-1b2c3d4e5f60", Status: coord.StatusActive}}
	want.Reset()
	if err := std.Produce(&want, eventModel(svc, e)); err != nil {
		t.Fatal(err)
	}
	if got, err := EventJSON(svc)(e); err != nil || string(got) != strings.TrimSuffix(want.String(), "\n") {
		t.Errorf("session event: %v\n got %s\nwant %s", err, got, want.String())
	}
}
