package coord

import (
	"context"
	"fmt"
)

// Events is a page of the partner's event feed, with users shown as the
// partner knows them.
func (s *Service) Events(ctx context.Context, partner *Partner, f EventFilter) ([]*Event, error) {
	if f.After != nil && *f.After < 0 {
		return nil, Errorf(EValidation, "after must not be negative")
	}
	f.PartnerID = partner.ID
	list, err := s.Store.Events(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	for _, e := range list {
		if e.User != nil {
			e.User.ExternalUID = partnerUID(e.User.ExternalUID, e.User.Test)
		}
	}
	return list, nil
}
