package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// RequestIDHeader carries the request id both ways: a caller (or a proxy in
// front) may set it to correlate logs; the response always has it.
const RequestIDHeader = "X-Request-Id"

// maxRequestIDLen bounds an accepted incoming id; longer ones are replaced
// so a caller cannot bloat every log line.
const maxRequestIDLen = 64

// requestID is the caller's id when it is sane, else a new random one.
func requestID(r *http.Request) string {
	if id := r.Header.Get(RequestIDHeader); saneRequestID(id) {
		return id
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

// saneRequestID accepts 1–64 characters of [A-Za-z0-9._:-]: enough for
// UUIDs, ULIDs and trace ids, and nothing that could forge log structure.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}
