package httpapi

import (
	"github.com/go-openapi/strfmt"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/models"
)

func sessionModel(s *coord.Session) *models.Session {
	return new(sessionBox).fill(s)
}

// sessionModels renders a page with one allocation for all the models'
// parts: a page of 50 sessions made some 250 small allocations one by one.
func sessionModels(list []*coord.Session) models.SessionList {
	out := make(models.SessionList, len(list))
	boxes := make([]sessionBox, len(list))
	for i, s := range list {
		out[i] = boxes[i].fill(s)
	}
	return out
}

// sessionBox holds a session model and everything its pointers point to.
type sessionBox struct {
	m          models.Session
	start, end strfmt.DateTime
	billing    models.BillingInfo
	cost       models.Money
	amount     int64
}

func (b *sessionBox) fill(s *coord.Session) *models.Session {
	b.m = models.Session{ID: s.ID, LocationID: s.LocationID, UserID: strfmt.UUID(s.UserID),
		Status: string(s.Status), ResourceID: s.ResourceID}
	if s.StartTime != nil {
		b.start = strfmt.DateTime(s.StartTime.UTC())
		b.m.StartTime = &b.start
	}
	if s.EndTime != nil {
		b.end = strfmt.DateTime(s.EndTime.UTC())
		b.m.EndTime = &b.end
	}
	if s.Barcode != "" {
		b.m.RedemptionInfo = &models.RedemptionInfo{Barcode: &models.Barcode{Data: s.Barcode, Format: models.BarcodeFormatAztec}}
	}
	if s.Cost != nil {
		b.amount = s.Cost.Amount
		b.cost = models.Money{Amount: &b.amount, Currency: s.Cost.Currency}
		b.billing = models.BillingInfo{Cost: &b.cost}
		b.m.BillingInfo = &b.billing
	}
	return &b.m
}

func moneyModel(m coord.Money) *models.Money {
	amount := m.Amount
	return &models.Money{Amount: &amount, Currency: m.Currency}
}
