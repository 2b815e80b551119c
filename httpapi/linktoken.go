package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/coordapi/coord"
)

// linkTokenTTL is how long a demo permission page (and its form) stays usable.
const linkTokenTTL = 10 * time.Minute

// linkKeyName names the demo page's HMAC key in the KeyStore: its own
// secret, so that the page's tokens can never pass for JWTs or the reverse,
// generated once and shared by every replica, and loaded once at start.
const linkKeyName = "demo-link-hmac-key"

// linkTokenContext is signed along with the payload, binding the MAC to this use.
const linkTokenContext = "coord/demo-link/v1."

// linkClaims is a signed coord.LinkRequest with an expiry.
type linkClaims struct {
	UserID      string `json:"uid"`
	PartnerID   string `json:"pid"`
	SystemID    string `json:"sid"`
	RedirectURI string `json:"ruri"`
	State       string `json:"st,omitempty"`
	Expires     int64  `json:"exp"` // Unix seconds
}

// linkTokens signs and verifies the demo permission page's tokens:
// base64url(JSON claims) "." base64url(HMAC-SHA256).
type linkTokens struct {
	key   []byte
	clock coord.Clock
}

// sign returns a token for req, valid for linkTokenTTL.
func (t linkTokens) sign(req coord.LinkRequest) (string, error) {
	payload, err := json.Marshal(linkClaims{UserID: req.UserID, PartnerID: req.PartnerID, SystemID: req.SystemID,
		RedirectURI: req.RedirectURI, State: req.State, Expires: t.clock.Now().Add(linkTokenTTL).Unix()})
	if err != nil {
		return "", fmt.Errorf("demo link token: %w", err)
	}
	body := base64.RawURLEncoding.EncodeToString(payload)
	return body + "." + base64.RawURLEncoding.EncodeToString(mac(t.key, body)), nil
}

// verify checks the MAC (in constant time) and the expiry, and returns the
// request the token binds. Every failure is EInvalid with no detail.
func (t linkTokens) verify(token string) (coord.LinkRequest, error) {
	invalid := coord.Errorf(coord.EInvalid, "the permission page link is invalid or has expired; start linking again")
	body, sig, ok := strings.Cut(token, ".")
	if !ok {
		return coord.LinkRequest{}, invalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return coord.LinkRequest{}, invalid
	}
	if !hmac.Equal(got, mac(t.key, body)) {
		return coord.LinkRequest{}, invalid
	}
	payload, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return coord.LinkRequest{}, invalid
	}
	var c linkClaims
	if err := json.Unmarshal(payload, &c); err != nil || !t.clock.Now().Before(time.Unix(c.Expires, 0)) {
		return coord.LinkRequest{}, invalid
	}
	return coord.LinkRequest{UserID: c.UserID, PartnerID: c.PartnerID, SystemID: c.SystemID,
		RedirectURI: c.RedirectURI, State: c.State}, nil
}

func mac(key []byte, body string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(linkTokenContext))
	h.Write([]byte(body))
	return h.Sum(nil)
}
