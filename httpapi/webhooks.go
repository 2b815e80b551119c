package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"strings"
	"time"

	"github.com/go-openapi/strfmt"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/delivery"
	"github.com/coordapi/coord/models"
	"github.com/coordapi/coord/restapi/operations/testing"
	"github.com/coordapi/coord/restapi/operations/webhooks"
)

// partnerWebhooks are the partner's endpoints, or the one asked for; an id
// of another partner's endpoint is not found, like a missing one.
func partnerWebhooks(p *coord.Partner, id string) ([]*coord.Webhook, error) {
	if id == "" {
		return p.Webhooks, nil
	}
	if w, ok := p.Webhook(id); ok {
		return []*coord.Webhook{w}, nil
	}
	return nil, coord.Errorf(coord.ENotFound, "webhook %s not found", id)
}

// errNoWebhooks answers the webhook operations of a server built without
// a delivery queue.
var errNoWebhooks = coord.Errorf(coord.EUnavailable, "webhook deliveries are not available on this server")

// listWebhookDeliveries serves each endpoint's recent attempts.
type listWebhookDeliveries struct{ hooks Webhooks }

func (h listWebhookDeliveries) Handle(p webhooks.ListWebhookDeliveriesParams, who *coord.Principal) webhooks.ListWebhookDeliveriesResponder {
	ctx := p.HTTPRequest.Context()
	list, err := partnerWebhooks(who.Partner, deref(p.WebhookID))
	if err == nil && h.hooks.History == nil {
		err = errNoWebhooks
	}
	if err != nil {
		return errorResponse(ctx, webhooks.NewListWebhookDeliveriesDefault(0), err)
	}
	out := make(models.WebhookDeliveriesList, 0, len(list))
	for _, w := range list {
		attempts, err := h.hooks.History.Attempts(ctx, w.ID, int(deref(p.Limit)))
		if err != nil {
			return errorResponse(ctx, webhooks.NewListWebhookDeliveriesDefault(0), err)
		}
		m := &models.WebhookDeliveries{WebhookID: w.ID, Attempts: make([]*models.WebhookAttempt, 0, len(attempts))}
		for _, a := range attempts {
			m.Attempts = append(m.Attempts, attemptModel(a))
		}
		out = append(out, m)
	}
	return webhooks.NewListWebhookDeliveriesOK().WithPayload(out)
}

func attemptModel(a delivery.Attempt) *models.WebhookAttempt {
	m := &models.WebhookAttempt{EventID: a.EventID, Attempt: int32(a.Attempt), Outcome: string(a.State),
		AttemptedAt: strfmt.DateTime(a.AttemptedAt), StatusCode: int32(a.StatusCode), Error: a.Error,
		LatencyMs: a.Latency.Milliseconds()}
	if !a.NextAttempt.IsZero() {
		next := strfmt.DateTime(a.NextAttempt)
		m.NextAttempt = &next
	}
	return m
}

// pingWebhook sends one signed webhook.ping to an endpoint and reports it.
type pingWebhook struct {
	hooks Webhooks
	clock coord.Clock
}

func (h pingWebhook) Handle(p testing.PingWebhookParams, who *coord.Principal) testing.PingWebhookResponder {
	ctx := p.HTTPRequest.Context()
	list, err := partnerWebhooks(who.Partner, p.WebhookID)
	if err == nil && h.hooks.Sender == nil {
		err = errNoWebhooks
	}
	if err != nil {
		return errorResponse(ctx, testing.NewPingWebhookDefault(0), err)
	}
	w := list[0]
	id := "evt_ping_" + strings.ToLower(rand.Text())
	body, _ := json.Marshal(pingEvent{ID: id, Type: "webhook.ping", CreatedAt: strfmt.DateTime(h.clock.Now().UTC()),
		Test: true, Data: pingData{WebhookID: w.ID}}) // plain fields always marshal
	// The answer does not wait for the caller to go away.
	res := h.hooks.Sender.Send(context.WithoutCancel(ctx), w, id, body)
	o := delivery.Decide(res, 1, delivery.Schedule{time.Second})
	return testing.NewPingWebhookOK().WithPayload(&models.WebhookPing{WebhookID: w.ID, EventID: id,
		Delivered: o.State == delivery.Delivered, StatusCode: int32(o.StatusCode), Error: o.Error,
		LatencyMs: o.Latency.Milliseconds()})
}

// pingEvent is the body of a ping: an Event without seq or user.
type pingEvent struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt strfmt.DateTime `json:"created_at"`
	Test      bool            `json:"test"`
	Data      pingData        `json:"data"`
}

type pingData struct {
	WebhookID string `json:"webhook_id"`
}
