package coord

import (
	"encoding/json"
	"fmt"
	"time"
)

// The stores keep an event's resource as JSON in one format of their own,
// independent of the API's models and of the stores' columns, so both stores
// write and read it with these functions and old events stay readable when
// either changes.

type sessionData struct {
	ID         int64      `json:"id"`
	LocationID string     `json:"location_id"`
	UserID     string     `json:"user_id"`
	Status     string     `json:"status"`
	StartTime  *time.Time `json:"start_time,omitempty"`
	EndTime    *time.Time `json:"end_time,omitempty"`
	ResourceID string     `json:"resource_id,omitempty"`
	Barcode    string     `json:"barcode,omitempty"`
	Cost       *moneyData `json:"cost,omitempty"`
	Version    int64      `json:"version"`
}

type moneyData struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type userData struct {
	UserID      string          `json:"user_id"`
	PartnerID   string          `json:"partner_id"`
	ExternalUID string          `json:"external_uid"`
	Email       string          `json:"email"`
	Name        string          `json:"name"`
	Test        bool            `json:"test"`
	Plate       *plateData      `json:"plate,omitempty"`
	Linked      map[string]bool `json:"linked"`
}

type plateData struct {
	Text        string `json:"text"`
	Country     string `json:"country"`
	Subdivision string `json:"subdivision"`
}

type eventData struct {
	Session *sessionData `json:"session,omitempty"`
	User    *userData    `json:"user,omitempty"`
}

// SessionEventData is the stored form of a session event's resource.
func SessionEventData(s *Session) []byte {
	return mustJSON(eventData{Session: sessionDataOf(s)})
}

func sessionDataOf(s *Session) *sessionData {
	d := &sessionData{ID: s.ID, LocationID: s.LocationID, UserID: s.UserID, Status: string(s.Status),
		StartTime: s.StartTime, EndTime: s.EndTime, ResourceID: s.ResourceID, Barcode: s.Barcode, Version: s.Version}
	if s.Cost != nil {
		d.Cost = &moneyData{Amount: s.Cost.Amount, Currency: s.Cost.Currency}
	}
	return d
}

// session is the Session an event's stored resource reads back as.
func (d *sessionData) session() *Session {
	s := &Session{ID: d.ID, LocationID: d.LocationID, UserID: d.UserID, Status: SessionStatus(d.Status),
		StartTime: utc(d.StartTime), EndTime: utc(d.EndTime), ResourceID: d.ResourceID, Barcode: d.Barcode, Version: d.Version}
	if d.Cost != nil {
		s.Cost = &Money{Amount: d.Cost.Amount, Currency: d.Cost.Currency}
	}
	return s
}

// SetSession sets the event's session as SetData(SessionEventData(s))
// would, without the JSON in between: the SQLite webhook handoff renders
// each event from the session its write has just stored.
func (e *Event) SetSession(s *Session) { e.Session = sessionDataOf(s).session() }

// UserEventData is the stored form of a user event's resource.
func UserEventData(u *User) []byte {
	d := &userData{UserID: u.UserID, PartnerID: u.PartnerID, ExternalUID: u.ExternalUID, Email: u.Email,
		Name: u.Name, Test: u.Test, Linked: u.Linked}
	if u.Vehicle != nil {
		p := u.Vehicle.Plate
		d.Plate = &plateData{Text: p.Text, Country: p.Country, Subdivision: p.Subdivision}
	}
	return mustJSON(eventData{User: d})
}

// SetData fills e's Session or User from data stored by SessionEventData
// or UserEventData.
func (e *Event) SetData(data []byte) error {
	var d eventData
	if err := json.Unmarshal(data, &d); err != nil {
		return fmt.Errorf("event %s: data: %w", e.ID, err)
	}
	switch {
	case d.Session != nil:
		e.Session = d.Session.session()
	case d.User != nil:
		u := d.User
		e.User = &User{UserID: u.UserID, PartnerID: u.PartnerID, ExternalUID: u.ExternalUID, Email: u.Email,
			Name: u.Name, Test: u.Test, Linked: u.Linked}
		if e.User.Linked == nil {
			e.User.Linked = map[string]bool{}
		}
		if u.Plate != nil {
			p := u.Plate
			e.User.Vehicle = &Vehicle{Plate: LicensePlate{Text: p.Text, Country: p.Country, Subdivision: p.Subdivision}}
		}
	default:
		return fmt.Errorf("event %s: data holds neither a session nor a user", e.ID)
	}
	return nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// mustJSON marshals values that cannot fail to marshal (no channels, funcs
// or cyclic pointers).
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("marshal event data: %v", err))
	}
	return b
}
