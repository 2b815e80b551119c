package coordclient

import (
	"io"
	"strings"

	"github.com/go-openapi/runtime"

	"github.com/coordapi/coord/models"
)

// maxTextError bounds how much of a non-JSON error body becomes a message.
const maxTextError = 200

// textErrors reads text and HTML error bodies into the Error model's
// message. The API only answers JSON, but what stands in front of it may
// not: a proxy's 502 page, a wrong path prefix's "404 page not found".
// Without this, such a response surfaces as a decoding error that hides
// the status.
func textErrors(next runtime.Consumer) runtime.Consumer {
	return runtime.ConsumerFunc(func(r io.Reader, v any) error {
		e, ok := v.(*models.Error)
		if !ok {
			return next.Consume(r, v)
		}
		body, err := io.ReadAll(io.LimitReader(r, maxTextError))
		if err != nil {
			return err
		}
		msg := strings.Join(strings.Fields(string(body)), " ")
		e.Message = msg
		return nil
	})
}
