package httpapi

import (
	"context"
	"net/http"

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
	if status >= http.StatusInternalServerError && status != http.StatusNotImplemented {
		LoggerFrom(ctx).ErrorContext(ctx, "operation failed", "status", status, "error", err)
	}
	d.SetStatusCode(status)
	d.SetPayload(body)
	return d
}
