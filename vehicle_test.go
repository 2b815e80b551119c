package coord_test

import (
	"testing"

	"github.com/coordapi/coord"
)

func TestLicensePlatesAreNormalisedAndValidated(t *testing.T) {
	valid := []struct {
		text, country, subdivision string
		want                       coord.LicensePlate
	}{
		{"AB C-123", "US", "NY", coord.LicensePlate{Text: "abc123", Country: "us", Subdivision: "ny"}},
		{"x", "de", "", coord.LicensePlate{Text: "x", Country: "de"}},
		{"1234567890", "gb", "eng", coord.LicensePlate{Text: "1234567890", Country: "gb", Subdivision: "eng"}},
		{"--a b--", "Fr", "75", coord.LicensePlate{Text: "ab", Country: "fr", Subdivision: "75"}},
	}
	for _, tc := range valid {
		got, err := coord.NewLicensePlate(tc.text, tc.country, tc.subdivision)
		if err != nil || got != tc.want {
			t.Errorf("NewLicensePlate(%q, %q, %q) = %+v, %v; want %+v", tc.text, tc.country, tc.subdivision, got, err, tc.want)
		}
	}

	invalid := []struct{ name, text, country, subdivision string }{
		{"empty text", "", "us", ""},
		{"only spaces and hyphens", " - ", "us", ""},
		{"eleven characters", "abcdef12345", "us", ""},
		{"non-ASCII letter", "ÄBC123", "us", ""},
		{"Kelvin sign that lowercases to k", "\u212A123", "us", ""},
		{"punctuation", "abc.123", "us", ""},
		{"tab", "abc\t123", "us", ""},
		{"unknown country", "abc123", "xx", ""},
		{"empty country", "abc123", "", ""},
		{"region that is not a country", "abc123", "eu", ""},
		{"alias, not an ISO code", "abc123", "uk", ""},
		{"withdrawn code", "abc123", "yu", ""},
		{"alpha-3 code", "abc123", "usa", ""},
		{"numeric code", "abc123", "840", ""},
		{"non-ASCII country", "abc123", "\u212Ae", ""},
		{"long subdivision", "abc123", "us", "nyc1"},
		{"subdivision with the country part", "abc123", "us", "us-ny"},
		{"subdivision punctuation", "abc123", "us", "n!"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := coord.NewLicensePlate(tc.text, tc.country, tc.subdivision)
			if coord.ErrorCode(err) != coord.EValidation {
				t.Fatalf("NewLicensePlate(%q, %q, %q) error %v, want %s", tc.text, tc.country, tc.subdivision, err, coord.EValidation)
			}
		})
	}
}

// ISO 3166-1 assigns 249 alpha-2 codes; the x/text list, filtered, must agree.
func TestCountryCodesAreTheAssignedISOList(t *testing.T) {
	n := 0
	for a := 'a'; a <= 'z'; a++ {
		for b := 'a'; b <= 'z'; b++ {
			if coord.IsCountryCode(string([]rune{a, b})) {
				n++
			}
		}
	}
	if n != 249 {
		t.Fatalf("%d codes accepted, want the 249 ISO 3166-1 assigns", n)
	}
	for _, code := range []string{"us", "US", "gb", "de", "ss", "sx", "aq", "ps", "tw"} {
		if !coord.IsCountryCode(code) {
			t.Errorf("%s rejected", code)
		}
	}
}
