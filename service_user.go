package coord

import (
	"context"
	"fmt"
	"strings"
)

// Test and real users of one partner live in separate namespaces of the
// store's (partner, external_uid) key, so that a sandbox user can never
// become, or be taken for, the real user with the same external_uid. The
// store key of a test user is "test:"+uid; a real user's is the uid itself,
// unless it starts with one of the prefixes, in which case "real:" is put in
// front. The mapping is injective, and partnerUID reverses it.
const (
	testUIDPrefix = "test:"
	realUIDPrefix = "real:"
)

// storeUID is the store's external_uid for a partner's uid.
func storeUID(uid string, test bool) string {
	switch {
	case test:
		return testUIDPrefix + uid
	case strings.HasPrefix(uid, testUIDPrefix), strings.HasPrefix(uid, realUIDPrefix):
		return realUIDPrefix + uid
	}
	return uid
}

// partnerUID is the partner's uid for a store external_uid.
func partnerUID(stored string, test bool) string {
	if test {
		return strings.TrimPrefix(stored, testUIDPrefix)
	}
	return strings.TrimPrefix(stored, realUIDPrefix)
}

// TokenRequest names the user a partner wants a token for.
type TokenRequest struct {
	ExternalUID string // the partner's id of the user
	Email       string
	Name        string
}

// MintTestToken mints a token for a sandbox user of the partner, creating the
// user on first use. The email identifies the user when ExternalUID is empty.
func (s *Service) MintTestToken(ctx context.Context, partner *Partner, r TokenRequest) (string, error) {
	if r.ExternalUID == "" {
		r.ExternalUID = r.Email
	}
	return s.mint(ctx, UserProfile{PartnerID: partner.ID, ExternalUID: r.ExternalUID, Email: r.Email, Name: r.Name, Test: true})
}

// MintToken mints a token for a real user of the partner, creating the user
// on first use and refreshing email and name otherwise.
func (s *Service) MintToken(ctx context.Context, partner *Partner, r TokenRequest) (string, error) {
	return s.mint(ctx, UserProfile{PartnerID: partner.ID, ExternalUID: r.ExternalUID, Email: r.Email, Name: r.Name})
}

func (s *Service) mint(ctx context.Context, p UserProfile) (string, error) {
	p.Email, p.Name = strings.TrimSpace(p.Email), strings.TrimSpace(p.Name)
	for _, f := range [...]struct{ name, value string }{{"email", p.Email}, {"name", p.Name}, {"external_uid", p.ExternalUID}} {
		if err := checkText(f.name, f.value); err != nil {
			return "", err
		}
	}
	if p.Email == "" {
		return "", Errorf(EValidation, "email must not be blank")
	}
	if strings.TrimSpace(p.ExternalUID) == "" {
		return "", Errorf(EValidation, "external_uid must not be blank")
	}
	p.ExternalUID = storeUID(p.ExternalUID, p.Test)
	u, err := s.Store.UpsertUser(ctx, p)
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	tok, err := s.Tokens.Mint(u)
	if err != nil {
		return "", fmt.Errorf("mint token for user %s: %w", u.UserID, err)
	}
	return tok, nil
}

// user loads the user a verified token names. A valid token whose user is
// gone (or belongs to another partner) is a bad credential, not a missing
// resource: 401. Email and name come from the token, which is what the
// jwt_claims requirements are about.
func (s *Service) user(ctx context.Context, who *Identity) (*User, error) {
	u, err := s.Store.User(ctx, who.UserID)
	if ErrorCode(err) == ENotFound {
		return nil, errNoTokenUser()
	}
	if err != nil {
		return nil, fmt.Errorf("load user %s: %w", who.UserID, err)
	}
	return who.view(u)
}

// view is the stored user as the token's holder is shown and judged: the
// partner's own uid, and email and name from the token. It copies, so the
// stored user (which a store may hold in memory) is left as it was; a user
// of another partner is a bad credential.
func (who *Identity) view(stored *User) (*User, error) {
	if stored.PartnerID != who.Audience {
		return nil, errNoTokenUser()
	}
	u := *stored
	u.ExternalUID = partnerUID(u.ExternalUID, u.Test)
	u.Email, u.Name = who.Email, who.Name
	return &u, nil
}

func errNoTokenUser() error {
	return Errorf(EUnauthorized, "the token's user does not exist")
}

// SystemStatus is whether a user can transact with a system.
type SystemStatus struct {
	SystemID string
	Linked   bool
	// Missing lists the unmet requirements; empty means transactable.
	Missing []string
}

// Transactable reports whether every requirement is met.
func (st SystemStatus) Transactable() bool { return len(st.Missing) == 0 }

// CurrentUser returns the user with their standing at every system, in
// catalog order.
func (s *Service) CurrentUser(ctx context.Context, who *Identity) (*User, []SystemStatus, error) {
	u, err := s.user(ctx, who)
	if err != nil {
		return nil, nil, err
	}
	return u, s.Standing(u), nil
}

// Standing is the user's standing at every system, in catalog order.
func (s *Service) Standing(u *User) []SystemStatus {
	statuses := make([]SystemStatus, 0, len(s.Catalog.Systems))
	for _, sys := range s.Catalog.Systems {
		statuses = append(statuses, SystemStatus{SystemID: sys.ID, Linked: u.Linked[sys.ID], Missing: sys.Missing(u)})
	}
	return statuses
}

// SetVehicle normalises, validates and stores the user's plate.
func (s *Service) SetVehicle(ctx context.Context, who *Identity, plate LicensePlate) (*Vehicle, error) {
	p, err := NewLicensePlate(plate.Text, plate.Country, plate.Subdivision)
	if err != nil {
		return nil, err
	}
	if _, err := s.user(ctx, who); err != nil {
		return nil, err
	}
	v := Vehicle{Plate: p}
	if err := s.Store.SetVehicle(ctx, who.UserID, v); err != nil {
		return nil, fmt.Errorf("set vehicle: %w", err)
	}
	return &v, nil
}

// linkable finds a system whose account the user can link.
func (s *Service) linkable(systemID string) (*System, error) {
	sys, ok := s.Catalog.System(systemID)
	if !ok {
		return nil, Errorf(ENotFound, "no system %q", systemID)
	}
	if !sys.Requirements.LinkedAccount {
		return nil, Errorf(EInvalid, "system %q needs no linked account", systemID)
	}
	return sys, nil
}

// TestLink simulates linking or unlinking a test user's account.
func (s *Service) TestLink(ctx context.Context, who *Identity, systemID string, linked bool) error {
	if err := who.requireTest(); err != nil {
		return err
	}
	if _, err := s.linkable(systemID); err != nil {
		return err
	}
	if _, err := s.user(ctx, who); err != nil {
		return err
	}
	return s.setLinked(ctx, who.UserID, systemID, linked)
}

func (s *Service) setLinked(ctx context.Context, userID, systemID string, linked bool) error {
	if err := s.Store.SetLinked(ctx, userID, systemID, linked); err != nil {
		return fmt.Errorf("set linked account %s: %w", systemID, err)
	}
	return nil
}
