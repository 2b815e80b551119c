package httpapi

import (
	"github.com/coordapi/coord"
	"github.com/coordapi/coord/models"
	"github.com/coordapi/coord/restapi/operations/systems"
)

type listSystems struct{ list models.SystemList }

// newListSystems renders the catalog once: it is read-only after loading.
func newListSystems(c *coord.Catalog) listSystems {
	list := make(models.SystemList, 0, len(c.Systems))
	for _, s := range c.Systems {
		list = append(list, systemModel(s))
	}
	return listSystems{list: list}
}

func (h listSystems) Handle(systems.ListSystemsParams, *coord.Principal) systems.ListSystemsResponder {
	return systems.NewListSystemsOK().WithPayload(h.list)
}

func systemModel(s *coord.System) *models.System {
	id, name, linked := s.ID, s.Name, s.Requirements.LinkedAccount
	m := &models.System{
		SystemID: &id, Name: &name,
		TransactionRequirements: &models.TransactionRequirements{
			JwtClaims: nonNil(s.Requirements.JWTClaims), LinkedAccount: &linked,
			UsersAPIFields: nonNil(s.Requirements.UsersAPIFields),
		},
		Locations: make([]*models.Location, 0, len(s.Locations)),
	}
	for _, l := range s.Locations {
		lid, lname, tz, access := l.ID, l.Name, l.TimeZone, string(l.AccessType)
		lm := &models.Location{ID: &lid, Name: &lname, TimeZone: &tz, OnlineAccessType: &access}
		if p := l.Price; p != nil {
			period, inc, grace := int32(p.RatePeriodM), int32(p.IncrementM), int32(p.GraceM)
			lm.Price = &models.Price{Rate: moneyModel(p.Rate), RatePeriodMinutes: &period, IncrementMinutes: &inc, GraceMinutes: &grace}
			if p.MaxCost != nil {
				lm.Price.MaxCost = moneyModel(*p.MaxCost)
			}
		}
		m.Locations = append(m.Locations, lm)
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
