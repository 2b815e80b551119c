package coord_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/coordapi/coord"
)

var (
	plateText   = regexp.MustCompile(`^[a-z0-9]{1,10}$`)
	subdivision = regexp.MustCompile(`^[a-z0-9]{0,3}$`)
)

// FuzzNewLicensePlate checks plate validation against an independent
// statement of the rule: a plate is accepted exactly when every field is
// ASCII, the text lowercased without spaces and hyphens is 1–10 of
// [a-z0-9], the country is an assigned ISO code and the subdivision is
// [a-z0-9]{0,3}; an accepted plate is stored normalised and validates to
// itself again; a refused one is a validation error naming its field.
func FuzzNewLicensePlate(f *testing.F) {
	for _, seed := range [][3]string{
		{"AB C-123", "US", "NY"}, {"abc123", "us", ""}, {"", "us", ""}, {" - ", "de", ""},
		{"ABCDEFGHIJK", "fr", ""}, {"ab\u212a12", "us", ""}, {"ab12", "\u212aR", ""}, // Kelvin sign: lowercases to k
		{"x' OR '1'='1", "us", ""}, {"ab\x00c", "us", ""}, {"ab12", "xk", ""}, {"ab12", "usa", ""},
		{"ab12", "us", "n-y"}, {"\xff\xfe", "us", ""}, {"İ1", "tr", ""}, {"ab12", "840", ""},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, text, country, sub string) {
		p, err := coord.NewLicensePlate(text, country, sub)
		normalised := strings.NewReplacer(" ", "", "-", "").Replace(strings.ToLower(text))
		want := allASCII(text+country+sub) && plateText.MatchString(normalised) &&
			coord.IsCountryCode(country) && subdivision.MatchString(strings.ToLower(sub))
		if err != nil {
			var e *coord.Error
			if !errors.As(err, &e) || e.Code != coord.EValidation || !strings.Contains(e.Message, "license_plate.") {
				t.Fatalf("NewLicensePlate(%q, %q, %q): %v, want a validation error naming the field", text, country, sub, err)
			}
			if want {
				t.Fatalf("NewLicensePlate(%q, %q, %q) refused a valid plate: %v", text, country, sub, err)
			}
			return
		}
		if !want {
			t.Fatalf("NewLicensePlate(%q, %q, %q) accepted an invalid plate: %+v", text, country, sub, p)
		}
		if p.Text != normalised || p.Country != strings.ToLower(country) || p.Subdivision != strings.ToLower(sub) ||
			!plateText.MatchString(p.Text) || !coord.IsCountryCode(p.Country) {
			t.Fatalf("NewLicensePlate(%q, %q, %q) = %+v, not normalised", text, country, sub, p)
		}
		if again, err := coord.NewLicensePlate(p.Text, p.Country, p.Subdivision); err != nil || again != p {
			t.Fatalf("a stored plate %+v does not validate to itself: %+v, %v", p, again, err)
		}
	})
}

// FuzzNormalizePlateText: the result never holds a space or a hyphen, and
// normalising twice changes nothing on the ASCII input the API accepts.
func FuzzNormalizePlateText(f *testing.F) {
	for _, s := range []string{"AB C-123", "--", "a b", "\u212a", "İ", "\xff", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := coord.NormalizePlateText(s)
		if strings.ContainsAny(n, " -") {
			t.Fatalf("NormalizePlateText(%q) = %q keeps a space or hyphen", s, n)
		}
		if allASCII(s) && (coord.NormalizePlateText(n) != n || len(n) > len(s)) {
			t.Fatalf("NormalizePlateText(%q) = %q is not a fixed point", s, n)
		}
	})
}

func allASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
