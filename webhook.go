package coord

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
)

// Webhook is one of a partner's endpoints for the event log, configured in
// the catalog.
type Webhook struct {
	ID  string // unique in the catalog; names the endpoint in deliveries and in ping
	URL string // absolute http(s)
	// Keys are the decoded HMAC keys of the endpoint's whsec_ secrets; each
	// signs every delivery (several during a rotation). Never logged.
	Keys [][]byte
	// Events are the event types delivered here; empty means all.
	Events []string
}

// Wants reports whether events of this type are delivered to the endpoint.
func (w *Webhook) Wants(eventType string) bool {
	return len(w.Events) == 0 || slices.Contains(w.Events, eventType)
}

// Fingerprint identifies the endpoint's configuration: its URL, keys and
// event types. An endpoint disabled by a 410 Gone stays disabled while its
// fingerprint is the same, and comes back when the catalog changes it. It
// is a hash, so it reveals nothing of the keys.
func (w *Webhook) Fingerprint() string {
	h := sha256.New()
	field := func(b []byte) { // length-prefixed, so that no two lists hash alike
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
		h.Write(b)
	}
	field([]byte(w.URL))
	for _, k := range w.Keys {
		field(k)
	}
	field(nil) // between the keys and the events
	for _, e := range w.Events {
		field([]byte(e))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Webhook returns one of the partner's endpoints by id.
func (p *Partner) Webhook(id string) (*Webhook, bool) {
	for _, w := range p.Webhooks {
		if w.ID == id {
			return w, true
		}
	}
	return nil, false
}

// Webhooks returns every partner's endpoints, in catalog order.
func (c *Catalog) Webhooks() []*Webhook {
	var all []*Webhook
	for _, p := range c.Partners {
		all = append(all, p.Webhooks...)
	}
	return all
}
