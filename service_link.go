package coord

import (
	"context"
	"fmt"
	"net/url"
)

// LinkRequest is a verified request to link a user's account: what the
// demo permission page binds into its form token.
type LinkRequest struct {
	UserID      string
	PartnerID   string
	SystemID    string
	RedirectURI string
	State       string
}

// LinkStart is where link_account sends the browser: the demo permission
// page for test users (Demo set), the system's link URL for real users.
type LinkStart struct {
	Demo *LinkRequest
	URL  string
}

// StartLink checks a link_account request. The token is verified like a
// bearer JWT, audience included; the redirect URI must be one the partner
// allows (EInvalid otherwise, so nothing redirects to it).
func (s *Service) StartLink(ctx context.Context, partner *Partner, jwt, systemID, redirectURI, state string) (*LinkStart, error) {
	who, err := s.verifyUser(partner, jwt)
	if err != nil {
		return nil, err
	}
	u, err := s.user(ctx, who)
	if err != nil {
		return nil, err
	}
	sys, err := s.linkable(systemID)
	if err != nil {
		return nil, err
	}
	if !partner.AllowsRedirect(redirectURI) {
		return nil, Errorf(EInvalid, "redirect_uri is not allowed for this partner")
	}
	req := LinkRequest{UserID: u.UserID, PartnerID: partner.ID, SystemID: sys.ID, RedirectURI: redirectURI, State: state}
	if u.Test {
		return &LinkStart{Demo: &req}, nil
	}
	if sys.LinkURL == "" {
		return nil, Errorf(ELinkingUnavailable, "system %q has no account linking configured", sys.ID)
	}
	target, err := withQuery(sys.LinkURL, map[string]string{"redirect_uri": redirectURI, "state": state, "system_id": sys.ID})
	if err != nil {
		return nil, fmt.Errorf("link url of system %s: %w", sys.ID, err)
	}
	return &LinkStart{URL: target}, nil
}

// FinishDemoLink applies a test user's choice on the demo permission page
// and returns where the browser goes next. The request was signed by this
// server, but the catalog and the user are checked again: either may have
// changed since.
func (s *Service) FinishDemoLink(ctx context.Context, req LinkRequest, allow bool) (string, error) {
	partner, ok := s.Catalog.Partner(req.PartnerID)
	if !ok || !partner.AllowsRedirect(req.RedirectURI) {
		return "", Errorf(EInvalid, "redirect_uri is not allowed for this partner")
	}
	u, err := s.user(ctx, &Identity{UserID: req.UserID, Audience: partner.ID})
	if err != nil {
		return "", err
	}
	if !u.Test {
		return "", Errorf(EForbidden, "the demo permission page is for test users only")
	}
	if _, err := s.linkable(req.SystemID); err != nil {
		return "", err
	}
	if err := s.setLinked(ctx, u.UserID, req.SystemID, allow); err != nil {
		return "", err
	}
	return withQuery(req.RedirectURI, map[string]string{"system_id": req.SystemID, "linked_account": fmt.Sprint(allow), "state": req.State})
}

// verifyUser verifies a user JWT for a partner: signature, algorithm,
// expiry, and audience = that partner.
func (s *Service) verifyUser(partner *Partner, jwt string) (*Identity, error) {
	who, err := VerifyUserToken(s.Tokens, jwt)
	if err != nil {
		return nil, err
	}
	if err := who.IssuedFor(partner); err != nil {
		return nil, err
	}
	return who, nil
}

// withQuery returns uri with params set in its query (empty values are
// left out), keeping the parameters it already has.
func withQuery(uri string, params map[string]string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", fmt.Errorf("parse %q: %w", uri, err)
	}
	q := u.Query()
	for k, v := range params {
		if v != "" {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
