package coord

import (
	"context"
	"time"
)

// MaxRedemptionMinutes bounds simulate_redemption's duration_m.
const MaxRedemptionMinutes = 1440

// TokenService mints and verifies end-user JWTs.
type TokenService interface {
	Mint(u *User) (string, error)
	Verify(token string) (*Identity, error)
}

// Service applies the domain rules (catalog lookups, access types,
// transaction requirements, test-only operations) on top of a Store. It holds
// no state of its own, so any number of replicas can run it.
type Service struct {
	Store   Store
	Catalog *Catalog
	Tokens  TokenService
}

// location finds a location or reports it missing.
func (s *Service) location(id string) (*Location, error) {
	l, ok := s.Catalog.Location(id)
	if !ok {
		return nil, Errorf(ENotFound, "no location %q", id)
	}
	return l, nil
}

// SessionRequest is a request to start a session.
type SessionRequest struct {
	LocationID string
	ResourceID string // the space or charger, if the partner names one
	// IdempotencyKey, when set, makes a retry return the first call's session.
	IdempotencyKey string
}

// StartSession starts a session for the user at a location, after checking
// the location takes online sessions and the user meets its system's
// requirements. created is false when the call replayed an idempotency key
// and returned the session an earlier call created.
func (s *Service) StartSession(ctx context.Context, who *Identity, r SessionRequest) (_ *Session, created bool, _ error) {
	locationID := r.LocationID
	if err := checkText("resource_id", r.ResourceID); err != nil {
		return nil, false, err
	}
	l, err := s.location(locationID)
	if err != nil {
		return nil, false, err
	}
	if l.AccessType == AccessNotAvailable || l.Price == nil {
		return nil, false, Errorf(ELocationNotTransactable, "location %q does not take online sessions", locationID)
	}
	// The store reads the user (or holds it) and asks admit, so that the
	// check and the insert can share a round trip.
	admit := func(stored *User) error {
		u, err := who.view(stored)
		if err != nil {
			return err
		}
		if missing := l.System.Missing(u); len(missing) > 0 {
			return Errorf(ERequirementsNotMet, "the user does not meet the requirements of system %q", l.System.ID).WithDetails(missing...)
		}
		return nil
	}
	sess, created, err := s.Store.CreateSession(ctx, NewSession{
		UserID: who.UserID, LocationID: locationID, ResourceID: r.ResourceID,
		Currency: l.Price.Rate.Currency, Gate: l.AccessType == AccessBarcode,
		IdempotencyKey: r.IdempotencyKey, Admit: admit,
	})
	if ErrorCode(err) == ENotFound {
		return nil, false, errNoTokenUser()
	}
	return sess, created, err
}

// Session returns one of the user's sessions at a location.
func (s *Service) Session(ctx context.Context, who *Identity, locationID string, id int64) (*Session, error) {
	if _, err := s.location(locationID); err != nil {
		return nil, err
	}
	return s.Store.Session(ctx, SessionRef{UserID: who.UserID, LocationID: locationID, ID: id})
}

// Sessions lists the user's sessions, at one location when locationID is set.
func (s *Service) Sessions(ctx context.Context, who *Identity, locationID string, beforeID int64, limit int) ([]*Session, error) {
	if locationID != "" {
		if _, err := s.location(locationID); err != nil {
			return nil, err
		}
	}
	return s.Store.Sessions(ctx, SessionFilter{UserID: who.UserID, LocationID: locationID, BeforeID: beforeID, Limit: limit})
}

// EndSession ends and bills an app-controlled session. ended is false when
// the session was already ended (by an earlier or a concurrent call), which
// returns it unchanged.
func (s *Service) EndSession(ctx context.Context, who *Identity, locationID string, id int64) (_ *Session, ended bool, _ error) {
	l, err := s.location(locationID)
	if err != nil {
		return nil, false, err
	}
	return s.Store.EndSession(ctx, SessionRef{UserID: who.UserID, LocationID: locationID, ID: id}, s.price(l))
}

// SimulateRedemption plays the entry gate now and the exit gate after
// minutes, for test users only.
func (s *Service) SimulateRedemption(ctx context.Context, who *Identity, locationID string, id int64, minutes int) (*Session, error) {
	if err := who.requireTest(); err != nil {
		return nil, err
	}
	if minutes < 0 || minutes > MaxRedemptionMinutes {
		return nil, Errorf(EValidation, "duration_m must be between 0 and %d", MaxRedemptionMinutes)
	}
	l, err := s.location(locationID)
	if err != nil {
		return nil, err
	}
	return s.Store.Redeem(ctx, SessionRef{UserID: who.UserID, LocationID: locationID, ID: id}, time.Duration(minutes)*time.Minute, s.price(l))
}

// price is the location's price; a not_available location has none, so
// anything billed there (nothing, in practice) is free: the zero Price
// bills nothing.
func (s *Service) price(l *Location) Price {
	if l.Price == nil {
		return Price{}
	}
	return *l.Price
}
