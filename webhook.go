package coord

import "slices"

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
