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
	name, linked := s.Name, s.Requirements.LinkedAccount
	m := &models.System{
		SystemID: s.ID, Name: &name,
		TransactionRequirements: &models.TransactionRequirements{
			JwtClaims: nonNil(s.Requirements.JWTClaims), LinkedAccount: &linked,
			UsersAPIFields: nonNil(s.Requirements.UsersAPIFields),
		},
		Locations: make([]*models.Location, 0, len(s.Locations)),
	}
	for _, l := range s.Locations {
		lname, tz := l.Name, l.TimeZone
		lm := &models.Location{ID: l.ID, Name: &lname, TimeZone: &tz, OnlineAccessType: string(l.AccessType)}
		if l.Price != nil {
			lm.Price = priceModel(*l.Price)
		}
		m.Locations = append(m.Locations, lm)
	}
	return m
}

func priceModel(p coord.Price) *models.Price {
	grace := int32(p.GraceM)
	m := &models.Price{Rate: moneyModel(p.Rate), RatePeriodMinutes: int32(p.RatePeriodM), IncrementMinutes: int32(p.IncrementM), GraceMinutes: &grace}
	if p.MaxCost != nil {
		m.MaxCost = moneyModel(*p.MaxCost)
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
