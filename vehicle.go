package coord

import (
	"strings"

	"golang.org/x/text/language"
)

// MaxPlateLength is the longest normalised plate text.
const MaxPlateLength = 10

// notAssigned are codes golang.org/x/text still reports as countries, with a
// numeric code and no newer replacement, that ISO 3166-1 no longer (or
// never) assigns: withdrawn ones, and XK, a user-assigned code.
var notAssigned = map[string]bool{"AN": true, "CS": true, "NT": true, "SU": true, "YU": true, "XK": true}

// NewLicensePlate normalises and validates a plate as the API stores it:
// text lowercase without spaces and hyphens, then 1–10 of [a-z0-9];
// country an assigned ISO 3166-1 alpha-2 code, lowercase; subdivision the
// lowercase ISO 3166-2 part after the dash, [a-z0-9]{0,3}. Violations are
// EValidation, naming the field.
func NewLicensePlate(text, country, subdivision string) (LicensePlate, error) {
	// Checked before lowercasing: strings.ToLower maps some non-ASCII
	// letters (the Kelvin sign K) to ASCII ones.
	for _, f := range [...]struct{ name, value string }{{"text", text}, {"country", country}, {"subdivision", subdivision}} {
		if !ascii(f.value) {
			return LicensePlate{}, Errorf(EValidation, "license_plate.%s must be ASCII", f.name)
		}
	}
	p := LicensePlate{
		Text:        NormalizePlateText(text),
		Country:     strings.ToLower(country),
		Subdivision: strings.ToLower(subdivision),
	}
	switch {
	case p.Text == "":
		return LicensePlate{}, Errorf(EValidation, "license_plate.text is empty once spaces and hyphens are removed")
	case len(p.Text) > MaxPlateLength || !alnum(p.Text):
		return LicensePlate{}, Errorf(EValidation, "license_plate.text must be 1–%d letters a-z or digits once spaces and hyphens are removed", MaxPlateLength)
	case !IsCountryCode(p.Country):
		return LicensePlate{}, Errorf(EValidation, "license_plate.country %q is not an ISO 3166-1 alpha-2 country code", country)
	case len(p.Subdivision) > 3 || !alnum(p.Subdivision):
		return LicensePlate{}, Errorf(EValidation, "license_plate.subdivision must be up to 3 letters a-z or digits (the ISO 3166-2 part after the dash)")
	}
	return p, nil
}

// IsCountryCode reports whether code (either case) is an officially
// assigned ISO 3166-1 alpha-2 code. The list is golang.org/x/text's CLDR
// data, minus its historical aliases (Canonicalize maps them to their
// successors), its exceptional reservations (no numeric code) and the codes
// in notAssigned.
func IsCountryCode(code string) bool {
	if len(code) != 2 || !letters(code) {
		return false // ParseRegion would also accept numeric and alpha-3 codes
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry() && r.Canonicalize() == r && r.M49() != 0 && !notAssigned[r.String()]
}

// alnum reports whether s holds only a-z and 0-9 (so nothing non-ASCII).
func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func letters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
