package httpapi

import (
	"github.com/coordapi/coord"
	"github.com/coordapi/coord/restapi/operations/sessions"
	"github.com/coordapi/coord/restapi/operations/testing"
)

// Session handlers: thin adapters from generated parameters to the
// coord.Service and back to generated responses.

type postSession struct {
	svc     *coord.Service
	metrics *metrics
}

func (h postSession) Handle(p sessions.PostSessionParams, who *coord.Principal) sessions.PostSessionResponder {
	ctx := p.HTTPRequest.Context()
	r := coord.SessionRequest{LocationID: p.LocationID, IdempotencyKey: deref(p.IdempotencyKey)}
	if p.Body != nil {
		r.ResourceID = p.Body.ResourceID
	}
	s, created, err := h.svc.StartSession(ctx, who.User, r)
	if err != nil {
		return errorResponse(ctx, sessions.NewPostSessionDefault(0), err)
	}
	h.metrics.sessionStarted(created)
	return sessions.NewPostSessionOK().WithPayload(sessionModel(s))
}

type getLocationSessions struct{ svc *coord.Service }

func (h getLocationSessions) Handle(p sessions.GetLocationSessionsParams, who *coord.Principal) sessions.GetLocationSessionsResponder {
	ctx := p.HTTPRequest.Context()
	list, err := h.svc.Sessions(ctx, who.User, p.LocationID, deref(p.BeforeID), int(deref(p.Limit)))
	if err != nil {
		return errorResponse(ctx, sessions.NewGetLocationSessionsDefault(0), err)
	}
	return sizedLocationSessions{sessions.NewGetLocationSessionsOK().WithPayload(sessionModels(list)).WithLink(nextPage(list, deref(p.Limit)))}
}

type getUserSessions struct{ svc *coord.Service }

func (h getUserSessions) Handle(p sessions.GetUserSessionsParams, who *coord.Principal) sessions.GetUserSessionsResponder {
	ctx := p.HTTPRequest.Context()
	list, err := h.svc.Sessions(ctx, who.User, "", deref(p.BeforeID), int(deref(p.Limit)))
	if err != nil {
		return errorResponse(ctx, sessions.NewGetUserSessionsDefault(0), err)
	}
	return sizedUserSessions{sessions.NewGetUserSessionsOK().WithPayload(sessionModels(list)).WithLink(nextPage(list, deref(p.Limit)))}
}

type endSession struct {
	svc     *coord.Service
	metrics *metrics
}

func (h endSession) Handle(p sessions.EndSessionParams, who *coord.Principal) sessions.EndSessionResponder {
	ctx := p.HTTPRequest.Context()
	s, ended, err := h.svc.EndSession(ctx, who.User, p.LocationID, p.SessionID)
	if err != nil {
		return errorResponse(ctx, sessions.NewEndSessionDefault(0), err)
	}
	h.metrics.sessionEnded(s, ended)
	return sessions.NewEndSessionOK().WithPayload(sessionModel(s))
}

type simulateRedemption struct {
	svc     *coord.Service
	metrics *metrics
}

func (h simulateRedemption) Handle(p testing.SimulateRedemptionParams, who *coord.Principal) testing.SimulateRedemptionResponder {
	ctx := p.HTTPRequest.Context()
	s, err := h.svc.SimulateRedemption(ctx, who.User, p.LocationID, p.SessionID, int(*p.Body.DurationMinutes))
	if err != nil {
		return errorResponse(ctx, testing.NewSimulateRedemptionDefault(0), err)
	}
	h.metrics.redeemed(s)
	return testing.NewSimulateRedemptionOK().WithPayload(sessionModel(s))
}

// deref reads an optional parameter; the generated binder fills defaults, so
// nil only happens for parameters without one.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
