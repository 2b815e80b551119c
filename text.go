package coord

import (
	"unicode"
	"unicode/utf8"
)

// checkText refuses what no free-text field (a name, an email, a uid, a
// resource id) should hold: invalid UTF-8 and control characters. NUL
// matters most: PostgreSQL cannot store it in TEXT (a 500 there, while
// SQLite kept it), and the others corrupt logs and terminals downstream.
// Any other Unicode is welcome.
func checkText(field, value string) error {
	if !utf8.ValidString(value) {
		return Errorf(EValidation, "%s is not valid UTF-8", field)
	}
	for i, r := range value {
		if unicode.IsControl(r) {
			return Errorf(EValidation, "%s holds a control character (U+%04X at byte %d)", field, r, i)
		}
	}
	return nil
}
