package coord

import "time"

// MaxQuoteMinutes bounds a quote's duration: a week.
const MaxQuoteMinutes = 7 * 24 * 60

// Quote is what a session of Minutes would cost at a location.
type Quote struct {
	LocationID string
	Minutes    int
	Cost       Money
	Price      Price
}

// Quote prices a session of minutes at a location with the billing rule
// that bills ended sessions (Price.Cost), so that a quote and the bill of a
// session as long never differ.
func (s *Service) Quote(locationID string, minutes int) (*Quote, error) {
	if minutes < 1 || minutes > MaxQuoteMinutes {
		return nil, Errorf(EValidation, "duration_m must be between 1 and %d", MaxQuoteMinutes)
	}
	l, err := s.location(locationID)
	if err != nil {
		return nil, err
	}
	if l.AccessType == AccessNotAvailable || l.Price == nil {
		return nil, Errorf(ELocationNotTransactable, "location %q does not take online sessions, so it has no price", locationID)
	}
	return &Quote{LocationID: l.ID, Minutes: minutes, Cost: l.Price.Cost(time.Duration(minutes) * time.Minute), Price: *l.Price}, nil
}
