package coordclient

import (
	"context"

	"github.com/coordapi/coord/client/tokens"
	"github.com/coordapi/coord/models"
)

// ServerClient acts as the partner's backend, holding its server token.
// Keep it on the server: the token mints JWTs for any of the partner's users.
type ServerClient struct {
	c     *Client
	token string
}

// AsServer returns a client acting as the partner's backend.
func (c *Client) AsServer(serverToken string) *ServerClient {
	return &ServerClient{c: c, token: serverToken}
}

// CreateToken mints a JWT for a real user; ExternalUID and Email are required.
func (s *ServerClient) CreateToken(ctx context.Context, id Identity) (string, error) {
	body := &models.JWTRequest{ExternalUID: id.ExternalUID, Email: id.Email, Name: id.Name}
	p := tokens.NewCreateJwtParamsWithTimeout(s.c.timeout).WithBody(body)
	ctx, call := s.c.begin(ctx, "create_jwt", s.token)
	ok, err := s.c.api.Tokens.CreateJwtContext(ctx, p, s.c.bearer(s.token))
	if err != nil {
		return "", call.fail(err)
	}
	return ok.Payload.JwtToken, nil
}

// CreateUser mints a real user's JWT and returns a client acting as them.
func (s *ServerClient) CreateUser(ctx context.Context, id Identity) (*UserClient, error) {
	tok, err := s.CreateToken(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.c.AsUser(tok), nil
}
