package coord

import "errors"

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

// VerifyUserToken verifies a user JWT with tokens. Every failure is
// EUnauthorized: the token service's own EUnauthorized as it is, anything
// else as "invalid token", so that nothing about an unexpected failure
// reaches the caller.
func VerifyUserToken(tokens TokenService, jwt string) (*Identity, error) {
	who, err := tokens.Verify(jwt)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == EUnauthorized {
			return nil, e
		}
		return nil, Errorf(EUnauthorized, "invalid token")
	}
	return who, nil
}

// IssuedFor checks the token's audience: a user token is only good with
// the access key of the partner it was minted for.
func (who *Identity) IssuedFor(partner *Partner) error {
	if who.Audience != partner.ID {
		return Errorf(EUnauthorized, "the token was not issued for this access_key's partner")
	}
	return nil
}

// requireTest is the rule of the testing operations: test users only.
func (who *Identity) requireTest() error {
	if !who.Test {
		return Errorf(EForbidden, "testing operations are for test users only")
	}
	return nil
}
