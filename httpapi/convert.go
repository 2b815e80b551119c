package httpapi

import (
	"time"

	"github.com/go-openapi/strfmt"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/models"
)

func sessionModel(s *coord.Session) *models.Session {
	m := &models.Session{
		ID: s.ID, LocationID: s.LocationID, UserID: strfmt.UUID(s.UserID), Status: string(s.Status),
		StartTime: dateTime(s.StartTime), EndTime: dateTime(s.EndTime), ResourceID: s.ResourceID,
	}
	if s.Barcode != "" {
		m.RedemptionInfo = &models.RedemptionInfo{Barcode: &models.Barcode{Data: s.Barcode, Format: models.BarcodeFormatAztec}}
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
	amount := m.Amount
	return &models.Money{Amount: &amount, Currency: m.Currency}
}

func dateTime(t *time.Time) *strfmt.DateTime {
	if t == nil {
		return nil
	}
	d := strfmt.DateTime(t.UTC())
	return &d
}
