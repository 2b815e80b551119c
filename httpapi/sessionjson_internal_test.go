package httpapi

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/go-openapi/runtime"
	"github.com/go-openapi/strfmt"

	"github.com/coordapi/coord/models"
)

func ptrTo[T any](v T) *T { return &v }

// fullSession sets every field, nested ones included.
func fullSession() *models.Session {
	start := strfmt.DateTime(time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC))
	end := strfmt.DateTime(time.Date(2026, 1, 2, 5, 0, 0, 0, time.UTC))
	return &models.Session{
		BillingInfo: &models.BillingInfo{Cost: &models.Money{Amount: ptrTo(int64(1250)), Currency: "USD"}},
		EndTime:     &end,
		ID:          42,
		LocationID:  "downtown-garage",
		RedemptionInfo: &models.RedemptionInfo{Barcode: &models.Barcode{
			Data: "CRD-123", Format: models.BarcodeFormatAztec}},
		ResourceID: "stall 7",
		StartTime:  &start,
		Status:     "ended",
		UserID:     "3f2b1c9e-6d4a-4e8b-9a7c-1b2c3d4e5f60",
	}
}

// everyFieldSet fails t for a zero field of v (a struct or a pointer to
// one), looking into nested structs: a field added to the models must be
// added to fullSession, and so to appendSession, whose output it checks.
func everyFieldSet(t *testing.T, v reflect.Value, path string) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			t.Errorf("%s is nil in fullSession", path)
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct || v.Type() == reflect.TypeOf(strfmt.DateTime{}) {
		if v.IsZero() {
			t.Errorf("%s is zero in fullSession", path)
		}
		return
	}
	for i := range v.NumField() {
		everyFieldSet(t, v.Field(i), path+"."+v.Type().Field(i).Name)
	}
}

// TestSessionJSONIsEncodingJSONs: the hand-written session rendering gives
// exactly go-openapi's standard producer's bytes, for every field, empty
// ones, nils, and strings that need escaping.
func TestSessionJSONIsEncodingJSONs(t *testing.T) {
	everyFieldSet(t, reflect.ValueOf(fullSession()), "Session")

	escapes := fullSession()
	escapes.LocationID = "a\"b\\c<d>&e\u2028f\x01g\né"
	escapes.ResourceID = "bad utf-8 \xff, tab\t"
	escapes.UserID = "<not-a-uuid>"
	escapes.RedemptionInfo.Barcode.Data = "</script>"

	nils := &models.Session{BillingInfo: &models.BillingInfo{}, RedemptionInfo: &models.RedemptionInfo{}}
	halfNil := &models.Session{BillingInfo: &models.BillingInfo{Cost: &models.Money{}},
		RedemptionInfo: &models.RedemptionInfo{Barcode: &models.Barcode{}}}
	local := fullSession()
	t0 := strfmt.DateTime(time.Date(2026, 6, 1, 12, 0, 0, 1, time.FixedZone("X", 3600)))
	local.StartTime = &t0

	amp := fullSession()
	amp.UserID = "a&b" // json.Marshal in strfmt escapes it, the producer would not
	amp.ResourceID = "c&d"

	years := fullSession()
	y1, y2 := strfmt.DateTime(time.Date(9, 12, 31, 23, 59, 59, 999_999_999, time.UTC)), strfmt.DateTime(time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC))
	years.StartTime, years.EndTime = &y1, &y2

	cases := map[string]any{
		"small and large years": years,
		"ampersand":             amp,
		"full":                  fullSession(),
		"required only":         &models.Session{ID: 1, LocationID: "l", Status: "active", UserID: "u"},
		"escapes":               escapes,
		"nil nested":            nils,
		"half nil":              halfNil,
		"zero":                  &models.Session{},
		"a local time":          local,
		"nil session":           (*models.Session)(nil),
		"list":                  models.SessionList{fullSession(), escapes, nil, nils},
		"empty list":            models.SessionList{},
		"nil list":              models.SessionList(nil),
	}
	std, ours := runtime.JSONProducer(), jsonProducer()
	for name, v := range cases {
		var want, got bytes.Buffer
		if err := std.Produce(&want, v); err != nil {
			t.Fatal(err)
		}
		if err := ours.Produce(&got, v); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s:\n got %s\nwant %s", name, got.String(), want.String())
		}
	}
}

// TestDateTimeJSONIsStrfmts compares appendDateTime with strfmt's
// MarshalJSON on random instants from year 0 to 10000, UTC and not.
func TestDateTimeJSONIsStrfmts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lo, hi := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro(), time.Date(10001, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	zones := []*time.Location{time.UTC, time.FixedZone("X", -5400)}
	for i := range 20000 {
		us := lo + rng.Int64N(hi-lo) // microseconds: sub-millisecond digits are cut, not rounded
		d := strfmt.DateTime(time.UnixMicro(us).In(zones[i%2]))
		want, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if got := appendDateTime(nil, d); string(got) != string(want) {
			t.Fatalf("%v: got %s, want %s", time.Time(d), got, want)
		}
	}
}
