package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/go-openapi/runtime"
	"github.com/go-openapi/runtime/middleware"
	"github.com/go-openapi/runtime/security"

	"github.com/coordapi/coord"
)

// Authentication in three steps, because go-openapi authenticates each scheme
// of a requirement separately, in random order, and hands the handler
// whichever principal came last:
//  1. each scheme's check (AccessKeyAuth, UserJwtAuth, ServerTokenAuth)
//     verifies its own credential and returns a piece;
//  2. the authenticator adds the piece to one per-request credentials value
//     and returns that value's principal, whatever the order;
//  3. the authorizer, which runs after all schemes, cross-checks the pieces
//     (token audience = access key's partner) and completes the principal.

// credentials accumulates one request's verified pieces.
type credentials struct {
	principal    coord.Principal // what the handler receives
	keyPartner   *coord.Partner  // from access_key
	tokenPartner *coord.Partner  // from a server token
	user         *coord.Identity // from a user JWT
}

type credentialsKey struct{}

// authError carries a domain error through go-openapi's auth plumbing, which
// only keeps errors that have an HTTP code.
type authError struct{ err *coord.Error }

func (e authError) Error() string { return e.err.Error() }
func (e authError) Unwrap() error { return e.err }
func (e authError) Code() int32   { return int32(statusOf[e.err.Code]) }

func unauthorized(format string, args ...any) error {
	return authError{coord.Errorf(coord.EUnauthorized, format, args...)}
}

type authenticator struct {
	catalog *coord.Catalog
	tokens  coord.TokenService
}

// schemeAuthenticator replaces go-openapi's APIKeyAuth: same extraction,
// but the verified pieces of every scheme land in one credentials value.
func (a authenticator) schemeAuthenticator(name, in string, check security.TokenAuthentication) runtime.Authenticator {
	return security.HttpAuthenticator(func(r *http.Request) (bool, any, error) {
		var values []string
		if strings.EqualFold(in, "query") {
			values = requestQuery(r)[name]
		} else {
			values = r.Header.Values(name)
		}
		if len(values) == 0 || values[0] == "" {
			return false, nil, nil
		}
		if len(values) > 1 {
			return true, nil, unauthorized("%s is given more than once", name)
		}
		piece, err := check(values[0])
		if err != nil {
			return true, nil, err
		}
		creds := requestCredentials(r)
		switch p := piece.(*coord.Principal); {
		case p.User != nil:
			creds.user = p.User
		case p.Server:
			creds.tokenPartner = p.Partner
		default:
			creds.keyPartner = p.Partner
		}
		return true, &creds.principal, nil
	})
}

// withCredentials gives r empty credentials for the schemes to fill in; the
// routed builder calls it before go-openapi authenticates, so every scheme
// and the authorizer see the same value.
//
// Under the global middleware they live in the request's exchange, which
// costs no context value and no copy of the request; without it (a bare
// handler in a test) in a context value of their own.
func withCredentials(r *http.Request) *http.Request {
	if x := exchangeFrom(r.Context()); x != nil {
		x.creds, x.hasCreds = credentials{}, true
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), credentialsKey{}, &credentials{}))
}

// requestCredentials returns the request's credentials. Without them (not
// routed through the builder) it returns empty ones, which authorize
// refuses: no access key.
func requestCredentials(r *http.Request) *credentials {
	if x := exchangeFrom(r.Context()); x != nil && x.hasCreds {
		return &x.creds
	}
	if c, ok := r.Context().Value(credentialsKey{}).(*credentials); ok {
		return c
	}
	return &credentials{}
}

func (a authenticator) accessKey(key string) (*coord.Principal, error) {
	p, ok := a.catalog.PartnerByAccessKey(key)
	if !ok {
		return nil, unauthorized("unknown access_key")
	}
	return &coord.Principal{Partner: p}, nil
}

func (a authenticator) userJWT(header string) (*coord.Principal, error) {
	token, ok := bearer(header)
	if !ok {
		return nil, unauthorized("expected Authorization: Bearer <jwt>")
	}
	id, err := coord.VerifyUserToken(a.tokens, token)
	if err != nil {
		return nil, asAuthError(err)
	}
	return &coord.Principal{User: id}, nil
}

func (a authenticator) serverToken(header string) (*coord.Principal, error) {
	token, ok := bearer(header)
	if !ok {
		return nil, unauthorized("expected Authorization: Bearer <server token>")
	}
	p, ok := a.catalog.PartnerByServerToken(token)
	if !ok {
		return nil, unauthorized("invalid server token")
	}
	return &coord.Principal{Partner: p, Server: true}, nil
}

// authorize runs after every scheme: it ties the pieces to one partner and
// closes the /testing operations of a partner whose sandbox is off. Which
// users may use them is the Service's rule.
func (a authenticator) authorize(r *http.Request, _ any) error {
	creds := requestCredentials(r)
	if creds.keyPartner == nil {
		return unauthorized("missing access_key")
	}
	if creds.user != nil {
		if err := creds.user.IssuedFor(creds.keyPartner); err != nil {
			return asAuthError(err)
		}
	}
	if creds.tokenPartner != nil && creds.tokenPartner != creds.keyPartner {
		return unauthorized("the server token does not belong to this access_key's partner")
	}
	creds.principal = coord.Principal{Partner: creds.keyPartner, User: creds.user, Server: creds.tokenPartner != nil}
	if isTesting(r) && !creds.keyPartner.Sandbox {
		// The whole /testing family, whatever the credentials: a partner
		// without a sandbox has no test users to serve.
		return authError{coord.Errorf(coord.EForbidden, "testing operations are closed for this partner (sandbox: false)")}
	}
	return nil
}

// isTesting reports whether r was routed to a /testing operation. The
// route's pattern starts with the spec's basePath.
func isTesting(r *http.Request) bool {
	route := middleware.MatchedRouteFrom(r)
	return route != nil && strings.HasPrefix(strings.TrimPrefix(route.PathPattern, route.BasePath), "/testing/")
}

// bearer extracts the token of an "Authorization: Bearer <token>" value.
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// asAuthError carries a domain error (from coord.VerifyUserToken or
// Identity.IssuedFor, always EUnauthorized) through go-openapi's auth.
func asAuthError(err error) error {
	var e *coord.Error
	if !errors.As(err, &e) {
		e = coord.Errorf(coord.EUnauthorized, "invalid token")
	}
	return authError{e}
}
