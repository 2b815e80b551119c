package catalog_test

import (
	"strings"
	"testing"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/catalog"
)

func TestDemoCatalogCoversEveryAccessType(t *testing.T) {
	c := catalog.Demo()
	seen := map[coord.AccessType]bool{}
	for _, s := range c.Systems {
		for _, l := range s.Locations {
			seen[l.AccessType] = true
			if got, ok := c.Location(l.ID); !ok || got.System != s {
				t.Fatalf("location %s is not indexed under its system", l.ID)
			}
		}
	}
	for _, a := range []coord.AccessType{coord.AccessLicensePlate, coord.AccessBarcode, coord.AccessNotAvailable} {
		if !seen[a] {
			t.Errorf("demo catalog has no %s location", a)
		}
	}
	if p, ok := c.PartnerByAccessKey("demo-access-key"); !ok || p.ID != "demo" {
		t.Fatalf("demo access key does not resolve to the demo partner")
	}
	if _, ok := c.PartnerByAccessKey("demo-access-ke"); ok {
		t.Fatalf("a near-miss access key resolved")
	}
}

func TestPriceDefaults(t *testing.T) {
	l, _ := catalog.Demo().Location("riverside-lot")
	if p := l.Price; p.RatePeriodM != 60 || p.IncrementM != 30 || p.GraceM != 0 || p.MaxCost != nil {
		t.Fatalf("defaults not applied: %+v", p)
	}
}

const valid = `
partners:
  - id: p
    access_keys: [key-12345678]
    redirect_uri_prefixes: [https://app.example.com/cb]
systems:
  - id: s
    name: S
    locations:
      - id: loc
        name: L
        time_zone: Europe/Paris
        online_access_type: license_plate
        price: {rate: {amount: 100, currency: EUR}}
`

func TestParseRejectsBadCatalogs(t *testing.T) {
	if _, err := catalog.Parse([]byte(valid)); err != nil {
		t.Fatalf("valid catalog rejected: %v", err)
	}
	tests := []struct{ name, from, to, want string }{
		{"unknown access type", "license_plate", "bicycle", "unknown online_access_type"},
		{"bad currency", "EUR", "EUX", "ISO 4217"},
		{"lowercase currency", "EUR", "eur", "ISO 4217"},
		{"bad time zone", "Europe/Paris", "Mars/Olympus", "IANA time zone"},
		{"reserved location id", "id: loc", "id: testing", "fixed path segment"},
		{"location id outside the path pattern", "id: loc", "id: \"a/b\"", "must match"},
		{"redirect prefix without a path", "https://app.example.com/cb", "https://app.example.com", "path after the host"},
		{"unknown field", "name: S", "nmae: S", "not found"},
		{"negative grace", "currency: EUR}}", "currency: EUR}, grace_m: -1}", "grace_m"},
		{"zero increment", "currency: EUR}}", "currency: EUR}, increment_m: 0}", "increment_m"},
		{"short access key", "key-12345678", "k", "at least 8"},
		{"price missing", "\n        price: {rate: {amount: 100, currency: EUR}}", "", "price is required"},
		{"zero requests per second", "[key-12345678]", "[key-12345678]\n    rate_limit: {requests_per_second: 0, burst: 10}", "rate_limit needs"},
		{"negative requests per second", "[key-12345678]", "[key-12345678]\n    rate_limit: {requests_per_second: -5, burst: 10}", "rate_limit needs"},
		{"zero burst", "[key-12345678]", "[key-12345678]\n    rate_limit: {requests_per_second: 5, burst: 0}", "rate_limit needs"},
		{"burst missing", "[key-12345678]", "[key-12345678]\n    rate_limit: {requests_per_second: 5}", "rate_limit needs"},
		{"unknown rate limit field", "[key-12345678]", "[key-12345678]\n    rate_limit: {rps: 5, burst: 1}", "not found"},
		{"sandbox not a boolean", "[key-12345678]", "[key-12345678]\n    sandbox: maybe", "into bool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(valid, tt.from, tt.to, 1)
			_, err := catalog.Parse([]byte(doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestSandboxAndRateLimitDefaults: a partner without the settings gets the
// sandbox and the default limit; given ones are kept.
func TestSandboxAndRateLimitDefaults(t *testing.T) {
	cat, err := catalog.Parse([]byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	if p := cat.Partners[0]; !p.Sandbox || p.RateLimit != coord.DefaultRateLimit {
		t.Errorf("defaults: sandbox %v, rate limit %+v", p.Sandbox, p.RateLimit)
	}
	doc := strings.Replace(valid, "[key-12345678]", "[key-12345678]\n    sandbox: false\n    rate_limit: {requests_per_second: 0.5, burst: 3}", 1)
	if cat, err = catalog.Parse([]byte(doc)); err != nil {
		t.Fatal(err)
	}
	if p := cat.Partners[0]; p.Sandbox || p.RateLimit != (coord.RateLimit{RequestsPerSecond: 0.5, Burst: 3}) {
		t.Errorf("given: sandbox %v, rate limit %+v", p.Sandbox, p.RateLimit)
	}
}

func TestParseRejectsDuplicates(t *testing.T) {
	doc := valid + `
  - id: s2
    locations:
      - id: loc
        time_zone: UTC
        online_access_type: not_available
`
	if _, err := catalog.Parse([]byte(doc)); err == nil || !strings.Contains(err.Error(), "duplicate location id") {
		t.Fatalf("duplicate location accepted: %v", err)
	}
}
