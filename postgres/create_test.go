package postgres

import (
	"regexp"
	"testing"
)

func TestBarcodeIsUnguessable(t *testing.T) {
	format := regexp.MustCompile(`^CRD-[A-Z2-7]{26}$`) // 130 random bits
	seen := map[string]bool{}
	for range 1000 {
		b := newBarcode()
		if !format.MatchString(b) || seen[b] {
			t.Fatalf("barcode %q: malformed or repeated", b)
		}
		seen[b] = true
	}
}
