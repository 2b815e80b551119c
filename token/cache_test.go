package token

import (
	"fmt"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/storetest"
)

func cacheTokens(t *testing.T) (*Tokens, *storetest.Clock) {
	t.Helper()
	clock := storetest.NewClock()
	tokens, err := New([]byte("cache-test-signing-key-0123456789abcdef"), time.Hour, clock)
	if err != nil {
		t.Fatal(err)
	}
	return tokens, clock
}

func mint(t *testing.T, tokens *Tokens, uid string) string {
	t.Helper()
	s, err := tokens.Mint(&coord.User{UserID: uid, PartnerID: "alpha", Email: uid + "@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCacheNeverOutlivesTheTokensExpiry: a cached token verifies up to the
// second before its exp and not from exp on, as an uncached one.
func TestCacheNeverOutlivesTheTokensExpiry(t *testing.T) {
	tokens, clock := cacheTokens(t)
	tok := mint(t, tokens, "u-1")
	if _, err := tokens.Verify(tok); err != nil {
		t.Fatal(err)
	}
	if tokens.cache.len() != 1 {
		t.Fatalf("cache holds %d tokens after one verification, want 1", tokens.cache.len())
	}
	clock.Advance(time.Hour - time.Second)
	if _, err := tokens.Verify(tok); err != nil {
		t.Fatalf("a second before its expiry: %v", err)
	}
	clock.Advance(time.Second)
	if _, err := tokens.Verify(tok); err == nil {
		t.Fatal("a cached token verified at its expiry")
	}
	if tokens.cache.len() != 0 {
		t.Fatal("the expired token is still cached")
	}
}

// TestCacheKeepsOnlyGoodTokensAndHandsOutCopies: a refused token is not
// cached, and changing a returned identity does not change the next one.
func TestCacheKeepsOnlyGoodTokensAndHandsOutCopies(t *testing.T) {
	tokens, _ := cacheTokens(t)
	tok := mint(t, tokens, "u-1")
	if _, err := tokens.Verify(tok + "x"); err == nil {
		t.Fatal("a tampered token verified")
	}
	if tokens.cache.len() != 0 {
		t.Fatal("a refused token was cached")
	}
	first, err := tokens.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	first.UserID, first.Audience = "someone-else", "beta"
	again, err := tokens.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if again.UserID != "u-1" || again.Audience != "alpha" {
		t.Fatalf("the cached identity changed with a caller's copy: %+v", again)
	}
}

// TestCacheIsBounded: past its size the cache evicts; evicted tokens still
// verify (the long way).
func TestCacheIsBounded(t *testing.T) {
	tokens, _ := cacheTokens(t)
	tokens.cache = newVerified(100)
	var toks []string
	for i := range 250 {
		tok := mint(t, tokens, fmt.Sprintf("u-%d", i))
		toks = append(toks, tok)
		if _, err := tokens.Verify(tok); err != nil {
			t.Fatal(err)
		}
		if n := tokens.cache.len(); n > 100 {
			t.Fatalf("cache holds %d tokens, bound 100", n)
		}
	}
	for _, tok := range toks {
		if _, err := tokens.Verify(tok); err != nil {
			t.Fatal(err)
		}
	}
}
