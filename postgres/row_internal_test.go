package postgres

import "testing"

// A page's repeated text column gives each row its own value, reusing the
// row before's string only when the bytes are equal, and keeps NULLs apart.
func TestRepeatedTextReusesOnlyEqualValues(t *testing.T) {
	var col repeatedText
	var got []string
	for _, b := range [][]byte{[]byte("USD"), []byte("USD"), []byte("EUR"), []byte("USD")} {
		var s string
		col.to(&s, nil)
		if err := col.ScanBytes(b); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
		b[0] = 'X' // pgx reuses its buffer: the string must not alias it
	}
	if want := []string{"USD", "USD", "EUR", "USD"}; len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("scanned %q, want %q", got, want)
	}
	if err := col.ScanBytes(nil); err == nil {
		t.Fatal("a NULL into a NOT NULL column scanned")
	}
	var s string
	valid := true
	col.to(&s, &valid)
	if err := col.ScanBytes(nil); err != nil || valid || s != "" {
		t.Fatalf("NULL: %q valid %v, %v", s, valid, err)
	}
	if err := col.ScanBytes([]byte("USD")); err != nil || !valid || s != "USD" {
		t.Fatalf("after NULL: %q valid %v, %v", s, valid, err)
	}
}
