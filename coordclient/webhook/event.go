package webhook

import (
	"encoding/json"
	"time"
)

// Event is the body of a delivery: the same JSON as an element of the
// API's event feed (GET /events). Data is left raw — {"session": …} or
// {"user": …} as right after the change — for the caller to decode by
// Type.
//
// It is a local type until the generated models.Event exists; the field
// names are the contract's (DESIGN.md, "Live state and events").
type Event struct {
	ID        string          `json:"id"`
	Seq       int64           `json:"seq"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	UserID    string          `json:"user_id,omitempty"`
	Test      bool            `json:"test"`
	Data      json.RawMessage `json:"data,omitempty"`
}
