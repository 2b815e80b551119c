package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/go-openapi/runtime"
	"github.com/go-openapi/strfmt"

	"github.com/coordapi/coord/models"
)

// jsonProducer is go-openapi's JSON producer with a hand-written path for
// sessions and session lists, the bodies of the polled and listed
// operations. encoding/json spent most of a list page's rendering in
// reflection and in strfmt's MarshalJSON (a json.Marshal per date and per
// user id); appendSession writes the same bytes directly (the tests compare
// it with encoding/json on every field). Everything else goes to the
// standard producer. The trade-off: a field added to models.Session must
// be added here too, or TestSessionJSONIsEncodingJSONs fails.
func jsonProducer() runtime.Producer {
	std := runtime.JSONProducer()
	return runtime.ProducerFunc(func(w io.Writer, data any) error {
		switch v := data.(type) {
		case *models.Session:
			return writeJSONBytes(w, func(b []byte) []byte { return appendSession(b, v) })
		case models.SessionList:
			return writeJSONBytes(w, func(b []byte) []byte { return appendSessionList(b, v) })
		}
		return std.Produce(w, data)
	})
}

var jsonBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// writeJSONBytes writes what appendTo renders plus the newline
// json.Encoder ends a value with, in one Write, from a pooled buffer.
func writeJSONBytes(w io.Writer, appendTo func([]byte) []byte) error {
	if b, ok := w.(*bodyBuffer); ok { // a sized list: straight into its buffer
		b.body = append(appendTo(b.body), '\n')
		return nil
	}
	p := jsonBuffers.Get().(*[]byte)
	b := append(appendTo((*p)[:0]), '\n')
	_, err := w.Write(b)
	if cap(b) <= 1<<20 { // a huge page's buffer is left to the GC
		*p = b
		jsonBuffers.Put(p)
	}
	return err
}

func appendSessionList(b []byte, list models.SessionList) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSession(b, s)
	}
	return append(b, ']')
}

// appendSession renders s as encoding/json does: fields in declaration
// order, omitempty ones left out when empty, nil pointers as null.
func appendSession(b []byte, s *models.Session) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, '{')
	if s.BillingInfo != nil {
		b = append(b, `"billing_info":{"cost":`...)
		b = appendMoney(b, s.BillingInfo.Cost)
		b = append(b, "},"...)
	}
	if s.EndTime != nil {
		b = append(b, `"end_time":`...)
		b = appendDateTime(b, *s.EndTime)
		b = append(b, ',')
	}
	b = append(b, `"id":`...)
	b = strconv.AppendInt(b, s.ID, 10)
	b = append(b, `,"location_id":`...)
	b = appendString(b, s.LocationID)
	if s.RedemptionInfo != nil {
		b = append(b, `,"redemption_info":{"barcode":`...)
		if bc := s.RedemptionInfo.Barcode; bc == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, `{"data":`...)
			b = appendString(b, bc.Data)
			b = append(b, `,"format":`...)
			b = appendString(b, bc.Format)
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	if s.ResourceID != "" {
		b = append(b, `,"resource_id":`...)
		b = appendString(b, s.ResourceID)
	}
	if s.StartTime != nil {
		b = append(b, `,"start_time":`...)
		b = appendDateTime(b, *s.StartTime)
	}
	b = append(b, `,"status":`...)
	b = appendString(b, s.Status)
	b = append(b, `,"user_id":`...)
	b = appendUUID(b, s.UserID)
	return append(b, '}')
}

func appendMoney(b []byte, m *models.Money) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"amount":`...)
	b = appendInt(b, m.Amount)
	b = append(b, `,"currency":`...)
	b = appendString(b, m.Currency)
	return append(b, '}')
}

func appendInt(b []byte, v *int64) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *v, 10)
}

// appendDateTime is strfmt.DateTime's MarshalJSON without its json.Marshal
// (a formatted time has nothing to escape), and with the format written
// out by hand for the usual case, a UTC time in strfmt's default
// milliseconds format: time.AppendFormat interprets its layout every time.
func appendDateTime(b []byte, d strfmt.DateTime) []byte {
	t := strfmt.NormalizeTimeForMarshal(time.Time(d))
	b = append(b, '"')
	year, month, day := t.Date()
	if strfmt.MarshalFormat != strfmt.RFC3339Millis || t.Location() != time.UTC || year < 0 || year > 9999 {
		return append(t.AppendFormat(b, strfmt.MarshalFormat), '"')
	}
	// The layout's bytes at once, then the digits written into them.
	n := len(b)
	b = append(b, `0000-00-00T00:00:00.000Z"`...)
	out := b[n:]
	hour, minute, sec := t.Clock()
	putDigits(out[0:4], year)
	putDigits(out[5:7], int(month))
	putDigits(out[8:10], day)
	putDigits(out[11:13], hour)
	putDigits(out[14:16], minute)
	putDigits(out[17:19], sec)
	putDigits(out[20:23], t.Nanosecond()/1e6)
	return b
}

// putDigits writes v (≥ 0) into d, zero-padded to len(d) digits.
func putDigits(d []byte, v int) {
	for i := len(d) - 1; i >= 0; i-- {
		d[i] = byte('0' + v%10)
		v /= 10
	}
}

// appendUUID is strfmt.UUID's MarshalJSON, which is json.Marshal of the
// string (HTML escaping on), for any string that would need escaping.
func appendUUID(b []byte, u strfmt.UUID) []byte {
	if plain(string(u)) {
		return append(append(append(b, '"'), u...), '"')
	}
	enc, _ := json.Marshal(string(u))
	return append(b, enc...)
}

// appendString quotes s as the JSON producer does (HTML escaping off):
// printable ASCII without quote or backslash as it is, anything else
// through encoding/json.
func appendString(b []byte, s string) []byte {
	if plain(s) {
		return append(append(append(b, '"'), s...), '"')
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// plain reports whether s needs no escaping in JSON, even HTML-safe JSON.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
