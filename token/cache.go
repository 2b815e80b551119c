package token

import (
	"sync"
	"time"

	"github.com/coordapi/coord"
)

// DefaultCacheSize bounds the verified-token cache: about 300 bytes a
// token, so a few MiB at most.
const DefaultCacheSize = 10_000

// verified remembers tokens whose signature, algorithm, issuer and claims
// have been checked, keyed by the exact token string, until they expire.
// A token's verdict depends only on the key (fixed for a Tokens) and the
// clock, so the cache changes no answer: a hit still has its expiry checked
// against the clock, and the audience is checked by the caller on every
// request. Only successes are cached, so junk tokens cannot fill it.
// The trade-off: a verified token (and the identity it names) stays in
// memory until it expires or is evicted.
type verified struct {
	mu      sync.Mutex
	max     int
	entries map[string]verifiedEntry
}

type verifiedEntry struct {
	id      coord.Identity
	expires time.Time
}

func newVerified(size int) *verified {
	return &verified{max: size, entries: make(map[string]verifiedEntry, min(size, 1024))}
}

// get returns a copy of the identity token names, if it was verified and
// now is before its expiry. An expired entry is dropped.
func (v *verified) get(token string, now time.Time) (*coord.Identity, bool) {
	if v == nil {
		return nil, false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.entries[token]
	if !ok {
		return nil, false
	}
	if !now.Before(e.expires) {
		delete(v.entries, token)
		return nil, false
	}
	id := e.id
	return &id, true
}

// put remembers a verified token until expires. When the cache is full it
// first drops expired entries, then, if still full, an arbitrary tenth of
// them (map iteration order), so that one put never costs more than that.
func (v *verified) put(token string, id *coord.Identity, expires, now time.Time) {
	if v == nil || v.max <= 0 {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.entries) >= v.max {
		for k, e := range v.entries {
			if !now.Before(e.expires) {
				delete(v.entries, k)
			}
		}
		for k := range v.entries {
			if len(v.entries) < v.max-v.max/10 {
				break
			}
			delete(v.entries, k)
		}
	}
	v.entries[token] = verifiedEntry{id: *id, expires: expires}
}

// len is how many tokens are cached.
func (v *verified) len() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.entries)
}
