package coord

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// Fingerprint identifies what a session request asked for. Stores keep it
// with the request's idempotency key, as Stripe does, so that the key
// replays only the same request: the same key with another resource_id is
// a different request, not a retry. Each field is length-prefixed, so no
// two requests share an encoding.
func (ns NewSession) Fingerprint() string {
	h := sha256.New()
	for _, field := range []string{ns.LocationID, ns.ResourceID} {
		h.Write([]byte(strconv.Itoa(len(field)) + ":" + field + ";"))
	}
	return "v1:" + hex.EncodeToString(h.Sum(nil))
}

// Replays reports whether ns repeats the request that created prior with
// the same idempotency key, whose stored fingerprint is given. Keys stored
// before fingerprints existed have none; the session itself then holds
// every field the fingerprint covers.
func (ns NewSession) Replays(prior *Session, fingerprint string) bool {
	if fingerprint == "" {
		return prior.LocationID == ns.LocationID && prior.ResourceID == ns.ResourceID
	}
	return fingerprint == ns.Fingerprint()
}
