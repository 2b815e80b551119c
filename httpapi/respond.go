package httpapi

import (
	"context"

	"github.com/coordapi/coord/models"
)

// defaultResponse is what every operation's generated Default response has.
type defaultResponse interface {
	SetStatusCode(int)
	SetPayload(*models.Error)
}

// errorResponse fills op's default response from err: one mapping for every
// operation. Server-side failures are logged with the request's logger;
// their text never reaches the caller.
func errorResponse[D defaultResponse](ctx context.Context, d D, err error) D {
	status, body := problem(err)
	logServerFault(ctx, "operation failed", status, err)
	d.SetStatusCode(status)
	d.SetPayload(body)
	return d
}
