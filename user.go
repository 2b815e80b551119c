package coord

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
)

// User is an end user of a partner. (PartnerID, ExternalUID) identifies one
// user; UserID is the stable id the API shows.
type User struct {
	UserID      string
	PartnerID   string
	ExternalUID string
	Email       string
	Name        string
	Test        bool
	Vehicle     *Vehicle        // nil until set
	Linked      map[string]bool // system id → linked account
}

// Vehicle is the user's vehicle.
type Vehicle struct {
	Plate LicensePlate
}

// LicensePlate is a normalised licence plate.
type LicensePlate struct {
	Text        string // 1–10 of [a-z0-9]
	Country     string // ISO 3166-1 alpha-2, lowercase
	Subdivision string // ISO 3166-2 part after the dash, lowercase; may be empty
}

// UserProfile is what a JWT mint tells about a user.
type UserProfile struct {
	PartnerID   string
	ExternalUID string
	Email       string
	Name        string
	Test        bool
}

// UserStore persists users, their vehicles and linked accounts.
type UserStore interface {
	// UpsertUser returns the user for (PartnerID, ExternalUID), creating it
	// with a new id if needed and refreshing email and name. Test is set at
	// creation and never changed, so a test token cannot turn a real user
	// into a sandbox one.
	UpsertUser(ctx context.Context, p UserProfile) (*User, error)
	// User returns a user by id, or ENotFound.
	User(ctx context.Context, userID string) (*User, error)
	// SetVehicle replaces the user's vehicle (unknown user: ENotFound).
	SetVehicle(ctx context.Context, userID string, v Vehicle) error
	// SetLinked records whether the user's account with a system is linked.
	SetLinked(ctx context.Context, userID, systemID string, linked bool) error
}

// KeyStore keeps server secrets shared by every replica.
type KeyStore interface {
	// Secret returns the secret stored under name; when there is none it
	// stores generate()'s result, atomically, so that concurrent replicas
	// agree on one value.
	Secret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error)
}

// SharedKey is the 256-bit key stored in keys under name, made from
// crypto/rand by the first replica that asks: the server's HMAC keys.
func SharedKey(ctx context.Context, keys KeyStore, name string) ([]byte, error) {
	key, err := keys.Secret(ctx, name, func() ([]byte, error) {
		b := make([]byte, 32)
		_, err := rand.Read(b)
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", name, err)
	}
	return key, nil
}

// Store is everything an adapter persists.
type Store interface {
	SessionStore
	UserStore
	KeyStore
	EventStore
	// Ping reports whether the database is reachable and migrated.
	Ping(ctx context.Context) error
	Close() error
}

// NormalizePlateText lowercases a plate and drops spaces and hyphens.
func NormalizePlateText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.ToLower(s))
}
