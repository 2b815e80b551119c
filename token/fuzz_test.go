package token_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/token"
)

var fuzzKey = []byte("fuzz-signing-key-0123456789abcdef")

// fixedClock always says the same time.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// fuzzTokens mints and verifies with a fixed key at a fixed time, so that
// the minted seed stays valid whenever the corpus is replayed.
func fuzzTokens(t testing.TB) (*token.Tokens, string) {
	tokens, err := token.New(fuzzKey, time.Hour, fixedClock(time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	valid, err := tokens.Mint(&coord.User{UserID: "3f2b1c9e-6d4a-4e8b-9a7c-1b2c3d4e5f60", PartnerID: "demo",
		Email: "fuzz@example.com", Name: "Fuzz", Test: true})
	if err != nil {
		t.Fatal(err)
	}
	return tokens, valid
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// FuzzVerify feeds arbitrary strings to Verify: it never panics, refuses
// with a 401-class domain error whose message does not echo the token,
// and accepts only an HS256 token whose signature is the key's HMAC of its
// first two segments, canonically encoded.
func FuzzVerify(f *testing.F) {
	tokens, valid := fuzzTokens(f)
	header, payload, _ := strings.Cut(valid, ".")
	payload, _, _ = strings.Cut(payload, ".")
	f.Add(valid)
	f.Add(b64(`{"alg":"none","typ":"JWT"}`) + "." + payload + ".")
	f.Add(b64(`{"alg":"HS512","typ":"JWT"}`) + "." + payload + "." + sign(b64(`{"alg":"HS512","typ":"JWT"}`)+"."+payload))
	f.Add(header + "." + b64(`{"sub":"x","aud":"demo","iss":"coord-users"}`) + "." + sign(header+"."+b64(`{"sub":"x","aud":"demo","iss":"coord-users"}`)))
	f.Add(header + "." + b64(`{"sub":"x","aud":["a","b"],"iss":"coord-users","exp":99999999999}`) + "." +
		sign(header+"."+b64(`{"sub":"x","aud":["a","b"],"iss":"coord-users","exp":99999999999}`)))
	f.Add(header + "." + b64(`{"sub":"x","aud":"demo","iss":"coord-users","exp":1e400}`) + "." +
		sign(header+"."+b64(`{"sub":"x","aud":"demo","iss":"coord-users","exp":1e400}`)))
	f.Add(header + "." + b64(strings.Repeat(`{"a":`, 10000)) + ".x")
	f.Add("....")
	f.Add("")
	f.Add("Bearer " + valid)
	f.Fuzz(func(t *testing.T, s string) {
		id, err := tokens.Verify(s)
		if err != nil {
			var e *coord.Error
			if !errors.As(err, &e) || e.Code != coord.EUnauthorized {
				t.Fatalf("Verify(%q): %v, want an unauthorized domain error", s, err)
			}
			if len(s) >= 16 && strings.Contains(e.Error(), s) {
				t.Fatalf("the error echoes the token: %v", err)
			}
			return
		}
		parts := strings.Split(s, ".")
		if len(parts) != 3 || parts[2] != sign(parts[0]+"."+parts[1]) || id.UserID == "" || id.Audience == "" {
			t.Fatalf("Verify accepted %q (%+v) without the key's HS256 signature", s, id)
		}
		h, err := base64.RawURLEncoding.DecodeString(parts[0])
		if err != nil || !strings.Contains(string(h), `"HS256"`) {
			t.Fatalf("Verify accepted a token whose header is %q", h)
		}
	})
}

// FuzzMutatedToken changes one byte of a valid token (replaced, inserted or
// deleted, anywhere): whatever the change, the token no longer verifies.
func FuzzMutatedToken(f *testing.F) {
	tokens, valid := fuzzTokens(f)
	if _, err := tokens.Verify(valid); err != nil {
		f.Fatalf("the seed token does not verify: %v", err)
	}
	// The signature's last character carries two unused bits: flipping one
	// decodes to the same bytes unless decoding is strict.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	f.Add(byte(0), uint16(len(valid)-1), alphabet[strings.IndexByte(alphabet, valid[len(valid)-1])^1])
	f.Add(byte(1), uint16(len(valid)-5), byte('\n')) // base64 decoders skip CR and LF
	for i, op := range []byte{0, 1, 2} {
		f.Add(op, uint16(i*40), byte('A'))
		f.Add(op, uint16(len(valid)-1), byte('B'))
		f.Add(op, uint16(strings.Index(valid, ".")), byte('.'))
	}
	f.Fuzz(func(t *testing.T, op byte, pos uint16, b byte) {
		i := int(pos) % len(valid)
		var mutated string
		switch op % 3 {
		case 0:
			mutated = valid[:i] + string([]byte{b}) + valid[i+1:]
		case 1:
			mutated = valid[:i] + string([]byte{b}) + valid[i:]
		default:
			mutated = valid[:i] + valid[i+1:]
		}
		if mutated == valid {
			return
		}
		if id, err := tokens.Verify(mutated); err == nil {
			t.Fatalf("a mutated token verifies (op %d at %d, byte %q): %q → %+v", op%3, i, b, mutated, id)
		}
	})
}

func sign(signingInput string) string {
	m := hmac.New(sha256.New, fuzzKey)
	m.Write([]byte(signingInput))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
