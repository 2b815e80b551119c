// Package token mints and verifies the end-user JWTs: HS256 only, with a
// required expiry and the partner as audience.
package token

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/coordapi/coord"
)

// Issuer names this server in the tokens it mints.
const Issuer = "coord-users"

// DefaultLifetime is how long a minted token is valid unless configured.
const DefaultLifetime = time.Hour

// Tokens mints and verifies JWTs with one HMAC key.
type Tokens struct {
	key      []byte
	lifetime time.Duration
	clock    coord.Clock
	cache    *verified
}

// New returns Tokens signing with key (at least 32 bytes) for lifetime (0:
// DefaultLifetime), judging expiry by clock (nil: the wall clock). Verified
// tokens are cached until they expire (at most DefaultCacheSize of them).
func New(key []byte, lifetime time.Duration, clock coord.Clock) (*Tokens, error) {
	if len(key) < 32 {
		return nil, errors.New("token: the signing key needs at least 32 bytes")
	}
	if lifetime <= 0 {
		lifetime = DefaultLifetime
	}
	if clock == nil {
		clock = coord.SystemClock{}
	}
	return &Tokens{key: key, lifetime: lifetime, clock: clock, cache: newVerified(DefaultCacheSize)}, nil
}

type claims struct {
	jwt.RegisteredClaims
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
	Test  bool   `json:"test,omitempty"`
}

// Mint returns a signed token for u, valid for the configured lifetime, for u's partner.
func (t *Tokens) Mint(u *coord.User) (string, error) {
	now := t.clock.Now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   u.UserID,
			Audience:  jwt.ClaimStrings{u.PartnerID},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.lifetime)),
		},
		Email: u.Email, Name: u.Name, Test: u.Test,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.key)
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	return s, nil
}

// Verify checks the algorithm (HS256 only: no "none", no key confusion), the
// signature, the issuer and a required expiry, and returns who the token
// names. The audience is checked by the caller against the access key's partner.
// A token verified before is answered from the cache while it has not expired.
func (t *Tokens) Verify(s string) (*coord.Identity, error) {
	now := t.clock.Now()
	if id, ok := t.cache.get(s, now); ok {
		return id, nil
	}
	if !compact(s) {
		return nil, coord.Errorf(coord.EUnauthorized, "invalid token: malformed")
	}
	var c claims
	_, err := jwt.ParseWithClaims(s, &c, func(*jwt.Token) (any, error) { return t.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithStrictDecoding(),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(Issuer),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil {
		return nil, coord.Errorf(coord.EUnauthorized, "invalid token: %s", reason(err))
	}
	if c.Subject == "" || len(c.Audience) != 1 {
		return nil, coord.Errorf(coord.EUnauthorized, "invalid token: missing subject or audience")
	}
	id := &coord.Identity{UserID: c.Subject, Audience: c.Audience[0], Email: c.Email, Name: c.Name, Test: c.Test}
	t.cache.put(s, id, c.ExpiresAt.Time, now)
	return id, nil
}

// compact reports whether s holds only the JWS compact alphabet (base64url
// and dots). The signature is not covered by itself, and Go's base64
// decoder skips CR and LF in it: without this check (and strict decoding,
// for the unused low bits of its last character) one token would have
// many spellings that all verify.
func compact(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// reason is a short, token-free explanation for the caller.
func reason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "expired"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return "bad signature or algorithm"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "a required claim is missing"
	default:
		return "rejected"
	}
}
