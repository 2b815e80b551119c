package webhook

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is how far webhook-timestamp may be from the
// receiver's clock, either way, before a delivery is refused as a replay.
const DefaultTolerance = 5 * time.Minute

// Errors of Verify, for errors.Is. None of them carries a secret or a
// signature.
var (
	ErrMissingHeaders = errors.New("webhook: missing webhook-id, webhook-timestamp or webhook-signature")
	ErrTimestamp      = errors.New("webhook: webhook-timestamp is not Unix seconds")
	ErrTooOld         = errors.New("webhook: timestamp too old")
	ErrTooNew         = errors.New("webhook: timestamp too far in the future")
	ErrNoSignature    = errors.New("webhook: no signature matches")
	ErrNoSecrets      = errors.New("webhook: no secrets to verify with")
	ErrPayload        = errors.New("webhook: body is not an event")
)

// Verifier checks deliveries against an endpoint's secrets. The zero
// Tolerance means DefaultTolerance; a nil Now means time.Now.
type Verifier struct {
	Secrets []string // "whsec_…"; during a rotation, the old and the new
	// Keys are secrets already decoded (ParseSecrets), checked instead of
	// Secrets when set: a busy receiver spares a decode per delivery.
	Keys      [][]byte
	Tolerance time.Duration
	Now       func() time.Time
}

// Verify checks a delivery with the default tolerance and returns its event.
func Verify(secrets []string, header http.Header, body []byte) (*Event, error) {
	return Verifier{Secrets: secrets}.Verify(header, body)
}

// Verify checks the signature (in constant time, against every secret and
// every "v1," signature of the header), then the timestamp's freshness,
// and decodes the event.
func (v Verifier) Verify(header http.Header, body []byte) (*Event, error) {
	return v.VerifyValues(header.Get(HeaderID), header.Get(HeaderTimestamp), header.Get(HeaderSignature), body)
}

// VerifyValues is Verify given the three headers' values, for a receiver
// whose server has no http.Header.
func (v Verifier) VerifyValues(id, timestamp, signature string, body []byte) (*Event, error) {
	if err := v.VerifySignatureValues(id, timestamp, signature, body); err != nil {
		return nil, err
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPayload, err)
	}
	return &ev, nil
}

// VerifySignature is Verify without decoding the body.
func (v Verifier) VerifySignature(header http.Header, body []byte) error {
	return v.VerifySignatureValues(header.Get(HeaderID), header.Get(HeaderTimestamp), header.Get(HeaderSignature), body)
}

// VerifySignatureValues is VerifySignature given the three headers' values.
func (v Verifier) VerifySignatureValues(id, stamp, sigs string, body []byte) error {
	if id == "" || stamp == "" || sigs == "" {
		return ErrMissingHeaders
	}
	keys := v.Keys
	if len(keys) == 0 {
		if len(v.Secrets) == 0 {
			return ErrNoSecrets
		}
		var err error
		if keys, err = ParseSecrets(v.Secrets); err != nil {
			return err
		}
	}
	ts, err := parseTimestamp(stamp)
	if err != nil {
		return err
	}
	// The signature first: an unsigned request learns nothing about the clock.
	if !matches(keys, id, ts, body, sigs) {
		return ErrNoSignature
	}
	return v.fresh(ts)
}

// parseTimestamp accepts only decimal digits: no sign, no spaces, no
// exponent, so that one timestamp has one spelling.
func parseTimestamp(s string) (int64, error) {
	if s == "" || len(s) > 18 || strings.Trim(s, "0123456789") != "" {
		return 0, ErrTimestamp
	}
	ts, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, ErrTimestamp
	}
	return ts, nil
}

// matches compares every v1 signature of the header with every key's MAC,
// in constant time, without stopping at the first match.
func matches(keys [][]byte, id string, ts int64, body []byte, header string) bool {
	want := make([][]byte, len(keys))
	for i, key := range keys {
		want[i] = mac(key, id, ts, body)
	}
	found := false
	for _, entry := range strings.Fields(header) {
		version, encoded, ok := strings.Cut(entry, ",")
		if !ok || version != signatureVersion {
			continue // another scheme (v1a) or garbage: not ours to judge
		}
		got, err := base64.StdEncoding.Strict().DecodeString(encoded) // one spelling per signature
		if err != nil {
			continue
		}
		for _, w := range want {
			if hmac.Equal(got, w) {
				found = true
			}
		}
	}
	return found
}

func (v Verifier) fresh(ts int64) error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	tolerance := v.Tolerance
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	at, t := time.Unix(ts, 0), now()
	switch {
	case t.Sub(at) > tolerance:
		return ErrTooOld
	case at.Sub(t) > tolerance:
		return ErrTooNew
	}
	return nil
}
