package httpapi

import (
	"time"

	"github.com/go-openapi/strfmt"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/models"
)

func sessionModel(s *coord.Session) *models.Session {
	status := string(s.Status)
	m := &models.Session{
		ID: &s.ID, LocationID: &s.LocationID, UserID: uuidPtr(s.UserID), Status: &status,
		StartTime: dateTime(s.StartTime), EndTime: dateTime(s.EndTime), ResourceID: s.ResourceID,
	}
	if s.Barcode != "" {
		format := models.BarcodeFormatAztec
		data := s.Barcode
		m.RedemptionInfo = &models.RedemptionInfo{Barcode: &models.Barcode{Data: &data, Format: &format}}
	}
	if s.Cost != nil {
		m.BillingInfo = &models.BillingInfo{Cost: moneyModel(*s.Cost)}
	}
	return m
}

func sessionModels(list []*coord.Session) models.SessionList {
	out := make(models.SessionList, 0, len(list))
	for _, s := range list {
		out = append(out, sessionModel(s))
	}
	return out
}

func moneyModel(m coord.Money) *models.Money {
	amount, currency := m.Amount, m.Currency
	return &models.Money{Amount: &amount, Currency: &currency}
}

func dateTime(t *time.Time) *strfmt.DateTime {
	if t == nil {
		return nil
	}
	d := strfmt.DateTime(t.UTC())
	return &d
}

func uuidPtr(s string) *strfmt.UUID {
	u := strfmt.UUID(s)
	return &u
}
