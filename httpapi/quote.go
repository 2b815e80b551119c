package httpapi

import (
	"github.com/coordapi/coord"
	"github.com/coordapi/coord/models"
	"github.com/coordapi/coord/restapi/operations/systems"
)

type getQuote struct{ svc *coord.Service }

func (h getQuote) Handle(p systems.GetQuoteParams, _ *coord.Principal) systems.GetQuoteResponder {
	q, err := h.svc.Quote(p.LocationID, int(p.DurationMinutes))
	if err != nil {
		return errorResponse(p.HTTPRequest.Context(), systems.NewGetQuoteDefault(0), err)
	}
	return systems.NewGetQuoteOK().WithPayload(&models.Quote{
		LocationID: q.LocationID, DurationMinutes: int32(q.Minutes), Cost: moneyModel(q.Cost), Price: priceModel(q.Price),
	})
}
