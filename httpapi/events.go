package httpapi

import (
	"context"
	"time"

	"github.com/go-openapi/strfmt"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/live"
	"github.com/coordapi/coord/models"
	"github.com/coordapi/coord/restapi/operations/events"
)

// listEvents serves the partner's event feed; with wait, an empty page is
// held in the hub until one of the partner's events commits.
type listEvents struct {
	svc *coord.Service
	hub *live.Hub
	m   *metrics
}

func (h listEvents) Handle(p events.ListEventsParams, who *coord.Principal) events.ListEventsResponder {
	ctx := p.HTTPRequest.Context()
	h.m.feedRequests.Inc()
	f := coord.EventFilter{After: p.After, Type: coord.EventType(deref(p.Type)), Limit: int(deref(p.Limit))}
	var list []*coord.Event
	read := func(ctx context.Context) (bool, time.Time, error) {
		var err error
		list, err = h.svc.Events(ctx, who.Partner, f)
		return err != nil || len(list) > 0, time.Time{}, err
	}
	var err error
	if wait := deref(p.Wait); wait > 0 {
		_, err = h.hub.Hold(ctx, live.Key{PartnerID: who.Partner.ID}, time.Now().Add(time.Duration(wait)*time.Second), read)
	} else {
		_, _, err = read(ctx)
	}
	if err != nil {
		return errorResponse(ctx, events.NewListEventsDefault(0), err)
	}
	out := make(models.EventList, 0, len(list))
	for _, e := range list {
		out = append(out, eventModel(h.svc, e))
	}
	return events.NewListEventsOK().WithPayload(out)
}

func eventModel(svc *coord.Service, e *coord.Event) *models.Event {
	m := &models.Event{ID: e.ID, Seq: e.Seq, Type: string(e.Type), CreatedAt: strfmt.DateTime(e.CreatedAt),
		UserID: strfmt.UUID(e.UserID), Test: e.Test, Data: &models.EventData{}}
	if e.Session != nil {
		m.Data.Session = sessionModel(e.Session)
	}
	if e.User != nil {
		m.Data.User = userModel(e.User, svc.Standing(e.User))
	}
	return m
}
