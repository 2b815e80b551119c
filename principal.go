package coord

import "context"

// Principal is who is calling: the partner application (always) and, for
// end-user operations, the user; for create_jwt, the partner's backend.
type Principal struct {
	Partner *Partner
	// User is set when a valid user JWT was presented.
	User *Identity
	// Server is true when the partner's server token was presented.
	Server bool
}

// Identity is the end user named by a verified JWT.
type Identity struct {
	UserID   string
	Audience string // the partner the token was minted for
	Email    string
	Name     string
	Test     bool
}

type principalKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal in ctx, if any.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok
}
