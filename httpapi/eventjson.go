package httpapi

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/models"
)

// EventJSON renders events as list_events shows them: the body of their
// webhook deliveries, rendered once per event on every commit that has
// endpoints. A session's event (nearly all of them) is written directly,
// as appendSession writes a session; a user's goes through encoding/json.
// Either way the bytes are the JSON producer's (HTML escaping off), the
// feed's own: TestEventJSONIsTheProducers compares them.
func EventJSON(svc *coord.Service) func(*coord.Event) ([]byte, error) {
	return func(e *coord.Event) ([]byte, error) {
		m := eventModel(svc, e)
		if b, ok := appendEvent(nil, m); ok {
			return b, nil
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m); err != nil {
			return nil, err
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
	}
}

// appendEvent renders m as encoding/json does, fields in declaration
// order; ok is false, and nothing written, for an event with a user.
func appendEvent(b []byte, m *models.Event) (_ []byte, ok bool) {
	if m.Data != nil && m.Data.User != nil {
		return b, false
	}
	b = append(b, `{"created_at":`...)
	b = appendDateTime(b, m.CreatedAt)
	b = append(b, `,"data":`...)
	switch {
	case m.Data == nil:
		b = append(b, "null"...)
	case m.Data.Session == nil:
		b = append(b, "{}"...)
	default:
		b = append(b, `{"session":`...)
		b = append(appendSession(b, m.Data.Session), '}')
	}
	b = append(b, `,"id":`...)
	b = appendString(b, m.ID)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, m.Seq, 10)
	b = append(b, `,"test":`...)
	b = strconv.AppendBool(b, m.Test)
	b = append(b, `,"type":`...)
	b = appendString(b, m.Type)
	b = append(b, `,"user_id":`...)
	b = appendUUID(b, m.UserID)
	return append(b, '}'), true
}
