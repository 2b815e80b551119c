package token

import (
	"testing"
	"time"

	"github.com/coordapi/coord"
)

// BenchmarkVerify is the JWT check of a token seen before: a cache hit.
func BenchmarkVerify(b *testing.B) {
	tokens, err := New([]byte("bench-signing-key-0123456789abcdef"), time.Hour, nil)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := tokens.Mint(&coord.User{UserID: "0b4e7a0e-5c1d-4d3e-9b1a-2f6c8d9e0a1b", PartnerID: "demo",
		Email: "driver@example.com", Name: "Bench Driver", Test: true})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tokens.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyUncached is the full check a token pays the first time
// (and every time without the cache).
func BenchmarkVerifyUncached(b *testing.B) {
	tokens, err := New([]byte("bench-signing-key-0123456789abcdef"), time.Hour, nil)
	if err != nil {
		b.Fatal(err)
	}
	tokens.cache = nil
	tok, err := tokens.Mint(&coord.User{UserID: "0b4e7a0e-5c1d-4d3e-9b1a-2f6c8d9e0a1b", PartnerID: "demo",
		Email: "driver@example.com", Name: "Bench Driver", Test: true})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tokens.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}
