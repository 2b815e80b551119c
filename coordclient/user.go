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

// begin starts a call of op as this user (see Client.begin).
func (u *UserClient) begin(ctx context.Context, op string) (context.Context, *call) {
	return u.c.begin(ctx, op, u.token)
}

// User returns the user: identity, test flag, vehicle and, per system,
// whether they can transact there and what is missing.
func (u *UserClient) User(ctx context.Context) (*models.User, error) {
	ctx, call := u.begin(ctx, "get_user")
	ok, err := u.c.api.Users.GetUserContext(ctx, users.NewGetUserParamsWithTimeout(u.c.timeout), u.Auth())
	if err != nil {
		return nil, call.fail(err)
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
	ctx, call := u.begin(ctx, "put_vehicle")
	ok, err := u.c.api.Users.PutVehicleContext(ctx, users.NewPutVehicleParamsWithTimeout(u.c.timeout).WithBody(body), u.Auth())
	if err != nil {
		return nil, call.fail(err)
	}
	return ok.Payload, nil
}

// StartOptions are the optional parts of StartSession.
type StartOptions struct {
	ResourceID string // a stall or space number, echoed back
	// IdempotencyKey identifies the logical call: a retry with the same key
	// returns the same session. Empty: StartSession makes one up, so that
	// its own retries never start two sessions. Set it to make retries of
	// your own (after a crash, from a queue) safe too.
	IdempotencyKey string
}

// StartSession starts a session at location: active at once at
// license_plate locations, pending with a barcode at gates. opts may be nil.
//
// A user has one open session at a time: if another is open the error is
// active_session_exists, and OpenSessionID(err) is its id.
func (u *UserClient) StartSession(ctx context.Context, location string, opts *StartOptions) (*models.Session, error) {
	var o StartOptions
	if opts != nil {
		o = *opts
	}
	if o.IdempotencyKey == "" {
		o.IdempotencyKey = newIdempotencyKey()
	}
	p := sessions.NewPostSessionParamsWithTimeout(u.c.timeout).WithLocationID(location).WithIdempotencyKey(&o.IdempotencyKey)
	if o.ResourceID != "" {
		p.SetBody(&models.NewSession{ResourceID: o.ResourceID})
	}
	ctx, call := u.begin(ctx, "post_session")
	ok, err := u.c.api.Sessions.PostSessionContext(ctx, p, u.Auth())
	if err != nil {
		return nil, call.fail(err)
	}
	return ok.Payload, nil
}

// Session returns one of the user's sessions; poll it for live state.
func (u *UserClient) Session(ctx context.Context, location string, id int64) (*models.Session, error) {
	p := sessions.NewGetSessionParamsWithTimeout(u.c.timeout).WithLocationID(location).WithSessionID(id)
	ctx, call := u.begin(ctx, fmt.Sprintf("get_session %d", id))
	ok, err := u.c.api.Sessions.GetSessionContext(ctx, p, u.Auth())
	if err != nil {
		return nil, call.fail(err)
	}
	return ok.Payload, nil
}

// EndSession ends and bills an app-controlled session. Ending an ended
// session returns it unchanged.
func (u *UserClient) EndSession(ctx context.Context, location string, id int64) (*models.Session, error) {
	p := sessions.NewEndSessionParamsWithTimeout(u.c.timeout).WithLocationID(location).WithSessionID(id)
	ctx, call := u.begin(ctx, fmt.Sprintf("end_session %d", id))
	ok, err := u.c.api.Sessions.EndSessionContext(ctx, p, u.Auth())
	if err != nil {
		return nil, call.fail(err)
	}
	return ok.Payload, nil
}

// SimulateRedemption plays both gates of a test user's pending gate
// session: entry now, exit minutes later (0: at once, the session ends).
func (u *UserClient) SimulateRedemption(ctx context.Context, location string, id int64, minutes int) (*models.Session, error) {
	m := int32(minutes)
	p := testingops.NewSimulateRedemptionParamsWithTimeout(u.c.timeout).WithLocationID(location).WithSessionID(id).
		WithBody(&models.SimulateRedemption{DurationMinutes: &m})
	ctx, call := u.begin(ctx, fmt.Sprintf("simulate_redemption %d", id))
	ok, err := u.c.api.Testing.SimulateRedemptionContext(ctx, p, u.Auth())
	if err != nil {
		return nil, call.fail(err)
	}
	return ok.Payload, nil
}

// TestLinkAccount links (or unlinks) a test user's account with a system,
// as the demo permission page's Allow (or Deny) would.
func (u *UserClient) TestLinkAccount(ctx context.Context, systemID string, linked bool) (*models.LinkedAccount, error) {
	p := testingops.NewTestLinkUserAccountParamsWithTimeout(u.c.timeout).
		WithBody(&models.LinkedAccount{SystemID: systemID, LinkedAccount: &linked})
	ctx, call := u.begin(ctx, "test_link_user_account")
	ok, err := u.c.api.Testing.TestLinkUserAccountContext(ctx, p, u.Auth())
	if err != nil {
		return nil, call.fail(err)
	}
	return ok.Payload, nil
}
