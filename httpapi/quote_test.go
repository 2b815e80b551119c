package httpapi_test

import (
	"testing"
	"time"

	"github.com/coordapi/coord/client/systems"
	"github.com/coordapi/coord/internal/apitest"
	"github.com/coordapi/coord/models"
)

func quote(s *apitest.Server, location string, minutes int32) (*models.Quote, error) {
	ok, err := s.Client.Systems.GetQuote(systems.NewGetQuoteParams().WithLocationID(location).WithDurationMinutes(minutes), apitest.KeyAuth("demo-access-key"))
	if err != nil {
		return nil, err
	}
	return ok.Payload, nil
}

func TestAQuoteIsWhatASessionThatLongIsBilled(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, backend string) {
		s := apitest.New(t, backend, apitest.Options{})
		// $4/h in 15-minute steps, 10 minutes free, capped at $24 — with the access key alone.
		for _, tc := range []struct {
			minutes int32
			amount  int64
		}{{1, 0}, {10, 0}, {11, 100}, {90, 600}, {91, 700}, {5 * 60, 2000}, {10080, 2400}} {
			q, err := quote(s, plateLot, tc.minutes)
			if err != nil {
				t.Fatalf("%d minutes: %v", tc.minutes, err)
			}
			if q.LocationID != plateLot || q.DurationMinutes != tc.minutes || q.Cost.GetAmount() != tc.amount || q.Cost.Currency != "USD" {
				t.Errorf("%d minutes: %+v costs %d, want %d", tc.minutes, q, q.Cost.GetAmount(), tc.amount)
			}
			if q.Price.Rate.GetAmount() != 400 || q.Price.RatePeriodMinutes != 60 || q.Price.IncrementMinutes != 15 || q.Price.GetGraceMinutes() != 10 || q.Price.MaxCost.GetAmount() != 2400 {
				t.Errorf("price %+v", q.Price)
			}
		}

		// The bill of a session of 90 minutes is the quote for 90 minutes.
		u := s.NewUser(t, "quote@example.com", false)
		setPlate(t, s, u.Auth, "abc123", "us", "")
		started := start(t, s, u, plateLot)
		s.Clock.Advance(90 * time.Minute)
		ended, err := end(s, u, plateLot, started.ID)
		if err != nil {
			t.Fatal(err)
		}
		q, err := quote(s, plateLot, 90)
		if err != nil {
			t.Fatal(err)
		}
		if *ended.BillingInfo.Cost.Amount != *q.Cost.Amount {
			t.Fatalf("billed %d for 90 minutes, quoted %d", *ended.BillingInfo.Cost.Amount, *q.Cost.Amount)
		}
	})
}

func TestAQuoteNeedsAPricedLocationAndADurationOfOneMinuteToAWeek(t *testing.T) {
	s := apitest.New(t, "sqlite", apitest.Options{})
	for _, tc := range []struct {
		location string
		minutes  int32
		status   int
		code     string
	}{
		{closed, 60, 422, "location_not_transactable"},
		{"nowhere", 60, 404, "not_found"},
		{plateLot, 0, 422, "validation_failed"},
		{plateLot, 10081, 422, "validation_failed"},
	} {
		_, err := quote(s, tc.location, tc.minutes)
		apitest.WantFailure(t, err, tc.status, tc.code)
	}
	_, err := s.Client.Systems.GetQuote(systems.NewGetQuoteParams().WithLocationID(plateLot).WithDurationMinutes(60), apitest.KeyAuth("wrong-key"))
	apitest.WantFailure(t, err, 401, "unauthorized")
}
