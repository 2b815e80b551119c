// Package coordclient is the Go SDK of the Coord Users API, a convenience
// layer over the generated client (package client): one constructor from a
// base URL and an access key, views that act as an end user or as the
// partner's backend, typed helpers for the common calls, errors a caller can
// branch on (with the request id, never a credential), retries with backoff
// that cannot start a session twice, and iterators over pages. Package
// coordtest runs the real API in a test.
//
// It wraps the generated client rather than replacing it: every helper
// returns the generated models, and API exposes the generated client (with
// the UserClient's Auth) for any operation not wrapped here.
//
//	c, err := coordclient.New("http://localhost:8080", "demo-access-key")
//	u, err := c.CreateTestUser(ctx, coordclient.Identity{Email: "driver@example.com"})
//	_, err = u.SetVehicle(ctx, coordclient.Plate{Text: "AB C-123", Country: "us"})
//	s, err := u.StartSession(ctx, "downtown-garage", nil)
//	s, err = u.EndSession(ctx, "downtown-garage", s.ID)
//	fmt.Println(s.Status, coordclient.FormatMoney(s.GetBillingInfo().GetCost()))
package coordclient

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-openapi/runtime"
	httptransport "github.com/go-openapi/runtime/client"
	"github.com/go-openapi/strfmt"

	"github.com/coordapi/coord/client"
	"github.com/coordapi/coord/client/systems"
	testingops "github.com/coordapi/coord/client/testing"
	"github.com/coordapi/coord/models"
)

// DefaultTimeout bounds each request unless WithTimeout says otherwise.
const DefaultTimeout = 15 * time.Second

// Client calls the API with a partner's access key. It is safe for
// concurrent use; AsUser and AsServer share it.
type Client struct {
	api       *client.Users
	accessKey string
	base      url.URL // scheme, host and the full base path (prefix + /v1/users)
	timeout   time.Duration
}

// New returns a client for the API served at baseURL: a scheme and a host,
// optionally followed by the path prefix of a reverse proxy
// ("https://example.com/coord"). The API's own base path (/v1/users) is
// appended unless baseURL already ends with it.
func New(baseURL, accessKey string, opts ...Option) (*Client, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if accessKey == "" {
		return nil, errors.New("coordclient: an access key is required")
	}
	cfg := settings{timeout: DefaultTimeout, retry: DefaultRetry}
	for _, opt := range opts {
		opt(&cfg)
	}
	httpClient, err := cfg.client()
	if err != nil {
		return nil, err
	}
	rt := httptransport.NewWithClient(base.Host, base.Path, []string{base.Scheme}, httpClient)
	rt.Debug = false // DEBUG=1 in the environment would otherwise dump every request, access key and token included
	for _, mime := range []string{runtime.TextMime, runtime.HTMLMime} {
		rt.Consumers[mime] = textErrors(rt.Consumers[mime])
	}
	return &Client{
		api:       client.New(rt, strfmt.Default),
		accessKey: accessKey,
		base:      *base,
		timeout:   cfg.timeout,
	}, nil
}

// parseBaseURL checks baseURL and returns it with the API's base path.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("coordclient: base URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("coordclient: base URL %q: the scheme must be http or https", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("coordclient: base URL %q has no host", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("coordclient: base URL %q: only a scheme, a host and a path prefix are allowed", raw)
	}
	prefix := strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(prefix, client.DefaultBasePath) {
		prefix += client.DefaultBasePath
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host, Path: prefix}, nil
}

// API is the generated client this one wraps, for the operations it does
// not: pass it KeyAuth, or a UserClient's Auth.
func (c *Client) API() *client.Users { return c.api }

// KeyAuth authenticates as the partner application only (access_key).
func (c *Client) KeyAuth() runtime.ClientAuthInfoWriter {
	return httptransport.APIKeyAuth("access_key", "query", c.accessKey)
}

// bearer authenticates with the access key and an Authorization bearer token.
func (c *Client) bearer(token string) runtime.ClientAuthInfoWriter {
	return httptransport.Compose(c.KeyAuth(), httptransport.BearerToken(token))
}

// Systems lists the systems, their requirements and their locations with prices.
func (c *Client) Systems(ctx context.Context) ([]*models.System, error) {
	ctx, call := c.begin(ctx, "list_systems", "")
	ok, err := c.api.Systems.ListSystemsContext(ctx, systems.NewListSystemsParamsWithTimeout(c.timeout), c.KeyAuth())
	if err != nil {
		return nil, call.fail(err)
	}
	return ok.Payload, nil
}

// Identity names the end user a token is minted for. ExternalUID is the
// partner's own id for the user; test users default to their email.
type Identity struct {
	Email       string
	Name        string
	ExternalUID string
}

// CreateTestToken mints a JWT for a sandbox (test) user.
func (c *Client) CreateTestToken(ctx context.Context, id Identity) (string, error) {
	body := &models.TestJWTRequest{Email: id.Email, Name: id.Name, ExternalUID: id.ExternalUID}
	ctx, call := c.begin(ctx, "create_test_jwt", "")
	ok, err := c.api.Testing.CreateTestJwtContext(ctx, testingops.NewCreateTestJwtParamsWithTimeout(c.timeout).WithBody(body), c.KeyAuth())
	if err != nil {
		return "", call.fail(err)
	}
	return ok.Payload.JwtToken, nil
}

// CreateTestUser mints a test user's JWT and returns a client acting as them.
func (c *Client) CreateTestUser(ctx context.Context, id Identity) (*UserClient, error) {
	tok, err := c.CreateTestToken(ctx, id)
	if err != nil {
		return nil, err
	}
	return c.AsUser(tok), nil
}
