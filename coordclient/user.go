package coordclient

import (
	"context"
	"fmt"

	"github.com/go-openapi/runtime"

	"github.com/coordapi/coord/client/sessions"
	testingops "github.com/coordapi/coord/client/testing"
	"github.com/coordapi/coord/client/users"
	"github.com/coordapi/coord/models"
)

// UserClient acts for one end user: every call sends the access key and
// the user's JWT as a bearer token.
type UserClient struct {
	c     *Client
	token string
}

// AsUser returns a client acting as the user holding jwt (from
// CreateTestToken, or from ServerClient.CreateToken on the partner backend).
func (c *Client) AsUser(jwt string) *UserClient { return &UserClient{c: c, token: jwt} }

// Token is the user's JWT.
func (u *UserClient) Token() string { return u.token }

// Auth authenticates calls of the generated client (Client.API) as this user.
func (u *UserClient) Auth() runtime.ClientAuthInfoWriter { return u.c.bearer(u.token) }

// User returns the user: identity, test flag, vehicle and, per system,
// whether they can transact there and what is missing.
func (u *UserClient) User(ctx context.Context) (*models.User, error) {
	ok, err := u.c.api.Users.GetUserContext(ctx, users.NewGetUserParamsWithTimeout(u.c.timeout), u.Auth())
	if err != nil {
		return nil, wrap("get_user", err)
	}
	return ok.Payload, nil
}

// Plate is a license plate as a user types it; the server normalises the
// text ("AB C-123" → "abc123"). Country is ISO 3166-1 alpha-2 ("us"),
// Subdivision the ISO 3166-2 part after the dash ("ny"), or empty.
type Plate struct {
	Text        string
	Country     string
	Subdivision string
}

// SetVehicle sets the user's vehicle and returns it as stored.
func (u *UserClient) SetVehicle(ctx context.Context, p Plate) (*models.Vehicle, error) {
	body := &models.Vehicle{LicensePlate: &models.LicensePlate{Text: p.Text, Country: p.Country, Subdivision: p.Subdivision}}
	ok, err := u.c.api.Users.PutVehicleContext(ctx, users.NewPutVehicleParamsWithTimeout(u.c.timeout).WithBody(body), u.Auth())
	if err != nil {
		return nil, wrap("put_vehicle", err)
	}
	return ok.Payload, nil
}

// StartOptions are the optional parts of StartSession.
type StartOptions struct {
	ResourceID     string // a stall or space number, echoed back
	IdempotencyKey string // a retry with the same key returns the same session
}

// StartSession starts a session at location: active at once at
// license_plate locations, pending with a barcode at gates. opts may be nil.
func (u *UserClient) StartSession(ctx context.Context, location string, opts *StartOptions) (*models.Session, error) {
	p := sessions.NewPostSessionParamsWithTimeout(u.c.timeout).WithLocationID(location)
	if opts != nil {
		if opts.ResourceID != "" {
			p.SetBody(&models.NewSession{ResourceID: opts.ResourceID})
		}
		if opts.IdempotencyKey != "" {
			p.SetIdempotencyKey(&opts.IdempotencyKey)
		}
	}
	ok, err := u.c.api.Sessions.PostSessionContext(ctx, p, u.Auth())
	if err != nil {
		return nil, wrap("post_session", err)
	}
	return ok.Payload, nil
}

// Session returns one of the user's sessions; poll it for live state.
func (u *UserClient) Session(ctx context.Context, location string, id int64) (*models.Session, error) {
	p := sessions.NewGetSessionParamsWithTimeout(u.c.timeout).WithLocationID(location).WithSessionID(id)
	ok, err := u.c.api.Sessions.GetSessionContext(ctx, p, u.Auth())
	if err != nil {
		return nil, wrap(fmt.Sprintf("get_session %d", id), err)
	}
	return ok.Payload, nil
}

// EndSession ends and bills an app-controlled session. Ending an ended
// session returns it unchanged.
func (u *UserClient) EndSession(ctx context.Context, location string, id int64) (*models.Session, error) {
	p := sessions.NewEndSessionParamsWithTimeout(u.c.timeout).WithLocationID(location).WithSessionID(id)
	ok, err := u.c.api.Sessions.EndSessionContext(ctx, p, u.Auth())
	if err != nil {
		return nil, wrap(fmt.Sprintf("end_session %d", id), err)
	}
	return ok.Payload, nil
}

// ListOptions select a page of sessions.
type ListOptions struct {
	Location string // only this location's sessions; empty for all
	Limit    int    // page size, 1–100; 0 for the server's default (50)
	BeforeID int64  // only sessions with a lower id: the next page after the last id seen
}

// Sessions lists the user's sessions, newest first. opts may be nil.
func (u *UserClient) Sessions(ctx context.Context, opts *ListOptions) ([]*models.Session, error) {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	var limit *int32
	if o.Limit != 0 {
		l := int32(o.Limit)
		limit = &l
	}
	var before *int64
	if o.BeforeID != 0 {
		before = &o.BeforeID
	}
	if o.Location == "" {
		p := sessions.NewGetUserSessionsParamsWithTimeout(u.c.timeout).WithLimit(limit).WithBeforeID(before)
		ok, err := u.c.api.Sessions.GetUserSessionsContext(ctx, p, u.Auth())
		if err != nil {
			return nil, wrap("get_user_sessions", err)
		}
		return ok.Payload, nil
	}
	p := sessions.NewGetLocationSessionsParamsWithTimeout(u.c.timeout).WithLocationID(o.Location).WithLimit(limit).WithBeforeID(before)
	ok, err := u.c.api.Sessions.GetLocationSessionsContext(ctx, p, u.Auth())
	if err != nil {
		return nil, wrap("get_location_sessions", err)
	}
	return ok.Payload, nil
}

// SimulateRedemption plays both gates of a test user's pending gate
// session: entry now, exit minutes later (0: at once, the session ends).
func (u *UserClient) SimulateRedemption(ctx context.Context, location string, id int64, minutes int) (*models.Session, error) {
	m := int32(minutes)
	p := testingops.NewSimulateRedemptionParamsWithTimeout(u.c.timeout).WithLocationID(location).WithSessionID(id).
		WithBody(&models.SimulateRedemption{DurationMinutes: &m})
	ok, err := u.c.api.Testing.SimulateRedemptionContext(ctx, p, u.Auth())
	if err != nil {
		return nil, wrap(fmt.Sprintf("simulate_redemption %d", id), err)
	}
	return ok.Payload, nil
}

// TestLinkAccount links (or unlinks) a test user's account with a system,
// as the demo permission page's Allow (or Deny) would.
func (u *UserClient) TestLinkAccount(ctx context.Context, systemID string, linked bool) (*models.LinkedAccount, error) {
	p := testingops.NewTestLinkUserAccountParamsWithTimeout(u.c.timeout).
		WithBody(&models.LinkedAccount{SystemID: systemID, LinkedAccount: &linked})
	ok, err := u.c.api.Testing.TestLinkUserAccountContext(ctx, p, u.Auth())
	if err != nil {
		return nil, wrap("test_link_user_account", err)
	}
	return ok.Payload, nil
}
