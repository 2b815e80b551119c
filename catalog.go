package coord

import (
	"crypto/subtle"
	"net/url"
	"strings"
	"unicode"
)

// AccessType is how sessions start at a location.
type AccessType string

// The access types.
const (
	AccessLicensePlate AccessType = "license_plate" // starts at once; the app ends it
	AccessBarcode      AccessType = "barcode"       // starts and ends at the gates
	AccessNotAvailable AccessType = "not_available" // no online sessions
)

// Requirement names, as the API reports them in missing_requirements.
const (
	RequirementPlate         = "vehicle.license_plate.text"
	RequirementLinkedAccount = "linked_account"
	RequirementEmail         = "email" // a JWT claim
	RequirementName          = "name"  // a JWT claim
)

// Partner is an application holding an access key.
type Partner struct {
	ID                  string
	Name                string
	AccessKeys          []string
	ServerTokens        []string
	Webhooks            []*Webhook // endpoints for the event log (webhook.go)
	RedirectURIPrefixes []string
	// Sandbox opens the /testing operations to the partner's test users;
	// without it they are 403 for everyone.
	Sandbox bool
	// RateLimit bounds the requests of each of the partner's access keys.
	RateLimit RateLimit
}

// RateLimit is a token bucket: RequestsPerSecond on average, Burst at once.
type RateLimit struct {
	RequestsPerSecond float64
	Burst             int
}

// DefaultRateLimit is a partner's limit when its catalog entry sets none:
// generous, since one access key carries every user of a partner's app.
var DefaultRateLimit = RateLimit{RequestsPerSecond: 1000, Burst: 2000}

// Requirements is what a user needs before transacting with a system.
type Requirements struct {
	JWTClaims      []string // e.g. "email"
	LinkedAccount  bool
	UsersAPIFields []string // e.g. RequirementPlate
}

// System is a mobility system and its locations.
type System struct {
	ID           string
	Name         string
	Requirements Requirements
	// LinkURL is where real users link their account; empty: linking unavailable.
	LinkURL   string
	Locations []*Location
}

// Location is a place where sessions happen.
type Location struct {
	ID         string
	Name       string
	TimeZone   string
	AccessType AccessType
	Price      *Price // nil only for not_available locations
	System     *System
}

// Catalog is the static configuration: partners, systems, locations, prices.
// It is read-only after loading.
type Catalog struct {
	Partners  []*Partner
	Systems   []*System
	locations map[string]*Location
	systems   map[string]*System
}

// NewCatalog indexes partners and systems. Validation is the loader's job.
func NewCatalog(partners []*Partner, systems []*System) *Catalog {
	c := &Catalog{Partners: partners, Systems: systems,
		locations: map[string]*Location{}, systems: map[string]*System{}}
	for _, s := range systems {
		c.systems[s.ID] = s
		for _, l := range s.Locations {
			l.System = s
			c.locations[l.ID] = l
		}
	}
	return c
}

// Location returns a location by id.
func (c *Catalog) Location(id string) (*Location, bool) {
	l, ok := c.locations[id]
	return l, ok
}

// System returns a system by id.
func (c *Catalog) System(id string) (*System, bool) {
	s, ok := c.systems[id]
	return s, ok
}

// Partner returns a partner by id.
func (c *Catalog) Partner(id string) (*Partner, bool) {
	for _, p := range c.Partners {
		if p.ID == id {
			return p, true
		}
	}
	return nil, false
}

// PartnerByAccessKey finds the partner holding key, comparing every key in
// constant time so that timing tells nothing about near misses.
func (c *Catalog) PartnerByAccessKey(key string) (*Partner, bool) {
	return c.partnerBy(key, func(p *Partner) []string { return p.AccessKeys })
}

// PartnerByServerToken finds the partner holding a server token, in constant time.
func (c *Catalog) PartnerByServerToken(token string) (*Partner, bool) {
	return c.partnerBy(token, func(p *Partner) []string { return p.ServerTokens })
}

func (c *Catalog) partnerBy(secret string, secrets func(*Partner) []string) (*Partner, bool) {
	var found *Partner
	for _, p := range c.Partners {
		for _, s := range secrets(p) {
			if subtle.ConstantTimeCompare([]byte(s), []byte(secret)) == 1 {
				found = p
			}
		}
	}
	return found, found != nil
}

// AllowsRedirect reports whether uri is a safe redirect target that starts
// with one of the partner's allowed prefixes. The prefix match alone is not
// enough: browsers read some URIs differently from a string comparison
// (backslashes as slashes, tabs and newlines dropped, dot segments resolved,
// user info before the host), so such URIs are refused before matching.
func (p *Partner) AllowsRedirect(uri string) bool {
	if !safeRedirect(uri) {
		return false
	}
	for _, prefix := range p.RedirectURIPrefixes {
		if prefix != "" && strings.HasPrefix(uri, prefix) && onBoundary(prefix, uri[len(prefix):]) {
			return true
		}
	}
	return false
}

// onBoundary reports whether a URI that starts with prefix and goes on with
// rest ends the prefix on a path-segment boundary: /callback allows
// /callback, /callback/x and /callback?x, never /callbackevil or
// /callback.evil.com.
func onBoundary(prefix, rest string) bool {
	if rest == "" || strings.HasSuffix(prefix, "/") || strings.HasSuffix(prefix, "?") || strings.HasSuffix(prefix, "&") {
		return true
	}
	switch rest[0] {
	case '/', '?':
		return true
	case '&':
		return strings.Contains(prefix, "?") // another query parameter
	}
	return false
}

// safeRedirect: an absolute http(s) URI with a host, no user info, no
// fragment (it would swallow the query parameters we append), no
// backslashes, control characters or spaces, no "." or ".." path
// segments, literal or percent-encoded, no empty segment (a partner that
// joins //evil.com to its own origin makes a protocol-relative redirect),
// and no percent-encoded slash or backslash (a server that decodes them
// would climb out of the prefix's path: /callback/..%2f..%2flogout).
func safeRedirect(uri string) bool {
	if strings.ContainsAny(uri, "\\ ") || strings.ContainsFunc(uri, unicode.IsControl) {
		return false
	}
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.Opaque != "" || strings.Contains(uri, "#") {
		return false
	}
	segs := strings.Split(u.EscapedPath(), "/")
	for i, seg := range segs {
		if seg == "" && i > 0 && i < len(segs)-1 {
			return false // only the leading and a trailing slash border nothing
		}
		if seg, err := url.PathUnescape(seg); err != nil || seg == "." || seg == ".." || strings.ContainsAny(seg, "/\\") {
			return false
		}
	}
	return true
}

// Missing lists the requirements of s that u does not meet, in a stable order.
func (s *System) Missing(u *User) []string {
	missing := []string{}
	for _, claim := range s.Requirements.JWTClaims {
		if (claim == RequirementEmail && u.Email == "") || (claim == RequirementName && u.Name == "") {
			missing = append(missing, claim)
		}
	}
	for _, field := range s.Requirements.UsersAPIFields {
		if field == RequirementPlate && (u.Vehicle == nil || u.Vehicle.Plate.Text == "") {
			missing = append(missing, field)
		}
	}
	if s.Requirements.LinkedAccount && !u.Linked[s.ID] {
		missing = append(missing, RequirementLinkedAccount)
	}
	return missing
}
