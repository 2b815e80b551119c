package catalog

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/currency"

	"github.com/coordapi/coord"
)

// locationIDPattern is the spec's pattern for the location_id path parameter.
var locationIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// reserved are the API's fixed first path segments: a location with one of
// these ids would be shadowed by (or shadow) another route.
var reserved = map[string]bool{"testing": true, "user": true, "session": true, "systems": true, "create_jwt": true}

var knownClaims = map[string]bool{coord.RequirementEmail: true, coord.RequirementName: true}
var knownFields = map[string]bool{coord.RequirementPlate: true}

func (d document) build() ([]*coord.Partner, []*coord.System, []error) {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	// entry names the i-th of a list in errors and checks its id is given
	// and unique in seen.
	entry := func(list, kind string, i int, id string, seen map[string]bool) string {
		where := fmt.Sprintf("%s[%d] %q", list, i, id)
		if id == "" {
			fail("%s[%d]: id is required", list, i)
		} else if seen[id] {
			fail("%s: duplicate %s id", where, kind)
		}
		seen[id] = true
		return where
	}

	if len(d.Partners) == 0 {
		fail("no partners: at least one is needed to call the API")
	}
	partnerIDs, secrets := map[string]bool{}, map[string]bool{}
	var partners []*coord.Partner
	for i, p := range d.Partners {
		where := entry("partners", "partner", i, p.ID, partnerIDs)
		if len(p.AccessKeys) == 0 {
			fail("%s: at least one access key is required", where)
		}
		for _, s := range append(append([]string{}, p.AccessKeys...), p.ServerTokens...) {
			if len(s) < 8 {
				fail("%s: access keys and server tokens need at least 8 characters", where)
			} else if secrets[s] {
				fail("%s: an access key or server token is used twice", where) // the value itself is never printed
			}
			secrets[s] = true
		}
		for _, prefix := range p.RedirectURIPrefixes {
			if err := checkRedirectPrefix(prefix); err != nil {
				fail("%s: redirect_uri_prefixes %q: %v", where, prefix, err)
			}
		}
		limit := coord.DefaultRateLimit
		if p.RateLimit != nil {
			limit = coord.RateLimit{RequestsPerSecond: p.RateLimit.RequestsPerSecond, Burst: p.RateLimit.Burst}
			if !(limit.RequestsPerSecond > 0) || limit.Burst < 1 {
				fail("%s: rate_limit needs requests_per_second > 0 and burst ≥ 1 (omit it for the default, %v per second, burst %d)",
					where, coord.DefaultRateLimit.RequestsPerSecond, coord.DefaultRateLimit.Burst)
			}
		}
		partners = append(partners, &coord.Partner{ID: p.ID, Name: p.Name, AccessKeys: p.AccessKeys,
			ServerTokens: p.ServerTokens, RedirectURIPrefixes: p.RedirectURIPrefixes,
			Sandbox: p.Sandbox == nil || *p.Sandbox, RateLimit: limit})
	}
	d.buildWebhooks(partners, entry, fail)

	systemIDs, locationIDs := map[string]bool{}, map[string]bool{}
	var systems []*coord.System
	for i, s := range d.Systems {
		where := entry("systems", "system", i, s.ID, systemIDs)
		for _, c := range s.Requirements.JWTClaims {
			if !knownClaims[c] {
				fail("%s: unknown jwt claim requirement %q (known: email, name)", where, c)
			}
		}
		for _, f := range s.Requirements.UsersAPIFields {
			if !knownFields[f] {
				fail("%s: unknown users_api_fields requirement %q (known: %s)", where, f, coord.RequirementPlate)
			}
		}
		if s.LinkURL != "" {
			if u, err := url.Parse(s.LinkURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				fail("%s: link_url must be an absolute http(s) URL", where)
			}
		}
		sys := &coord.System{ID: s.ID, Name: s.Name, LinkURL: s.LinkURL, Requirements: coord.Requirements{
			JWTClaims: nonNil(s.Requirements.JWTClaims), LinkedAccount: s.Requirements.LinkedAccount,
			UsersAPIFields: nonNil(s.Requirements.UsersAPIFields)}}
		for j, l := range s.Locations {
			lwhere := fmt.Sprintf("%s locations[%d] %q", where, j, l.ID)
			switch {
			case !locationIDPattern.MatchString(l.ID):
				fail("%s: location id must match %s", lwhere, locationIDPattern)
			case reserved[l.ID]:
				fail("%s: location id collides with a fixed path segment of the API", lwhere)
			case locationIDs[l.ID]:
				fail("%s: duplicate location id", lwhere)
			}
			locationIDs[l.ID] = true
			if _, err := time.LoadLocation(l.TimeZone); err != nil || l.TimeZone == "" || l.TimeZone == "Local" {
				fail("%s: time_zone %q is not an IANA time zone", lwhere, l.TimeZone)
			}
			access := coord.AccessType(l.OnlineAccessType)
			switch access {
			case coord.AccessLicensePlate, coord.AccessBarcode, coord.AccessNotAvailable:
			default:
				fail("%s: unknown online_access_type %q (want license_plate, barcode or not_available)", lwhere, l.OnlineAccessType)
			}
			price, err := l.Price.build()
			if err != nil {
				fail("%s: price: %v", lwhere, err)
			} else if price == nil && access != coord.AccessNotAvailable {
				fail("%s: a price is required for %s locations", lwhere, access)
			}
			sys.Locations = append(sys.Locations, &coord.Location{ID: l.ID, Name: l.Name, TimeZone: l.TimeZone,
				AccessType: access, Price: price})
		}
		systems = append(systems, sys)
	}
	return partners, systems, errs
}

func (p *priceDoc) build() (*coord.Price, error) {
	if p == nil {
		return nil, nil
	}
	price := &coord.Price{RatePeriodM: coord.DefaultRatePeriodM, IncrementM: coord.DefaultIncrementM, GraceM: p.GraceM}
	if p.RatePeriodM != nil {
		price.RatePeriodM = *p.RatePeriodM
	}
	if p.IncrementM != nil {
		price.IncrementM = *p.IncrementM
	}
	rate, err := p.Rate.build()
	if err != nil {
		return nil, fmt.Errorf("rate: %w", err)
	}
	price.Rate = rate
	switch {
	case price.RatePeriodM < 1:
		return nil, fmt.Errorf("rate_period_m must be at least 1")
	case price.IncrementM < 1:
		return nil, fmt.Errorf("increment_m must be at least 1")
	case price.GraceM < 0:
		return nil, fmt.Errorf("grace_m must not be negative")
	}
	if p.MaxCost != nil {
		m, err := p.MaxCost.build()
		if err != nil {
			return nil, fmt.Errorf("max_cost: %w", err)
		}
		if m.Currency != rate.Currency {
			return nil, fmt.Errorf("max_cost currency %s differs from the rate's %s", m.Currency, rate.Currency)
		}
		price.MaxCost = &m
	}
	return price, nil
}

func (m moneyDoc) build() (coord.Money, error) {
	if len(m.Currency) != 3 {
		return coord.Money{}, fmt.Errorf("currency %q is not an ISO 4217 code", m.Currency)
	}
	if _, err := currency.ParseISO(m.Currency); err != nil || m.Currency != strings.ToUpper(m.Currency) {
		return coord.Money{}, fmt.Errorf("currency %q is not an ISO 4217 code", m.Currency)
	}
	if m.Amount < 0 {
		return coord.Money{}, fmt.Errorf("amount must not be negative")
	}
	return coord.Money{Amount: m.Amount, Currency: m.Currency}, nil
}

// checkRedirectPrefix insists on an absolute http(s) URL with a path, so that
// a prefix can never be extended into another host (http://a.com → http://a.com.evil).
func checkRedirectPrefix(prefix string) error {
	u, err := url.Parse(prefix)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return fmt.Errorf("must be an absolute http(s) URL without user info")
	}
	if u.Path == "" {
		return fmt.Errorf("must include a path after the host (at least /)")
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
