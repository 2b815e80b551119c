package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
)

// MaxBodyBytes bounds the body Handler reads; the server's events are a
// few KiB.
const MaxBodyBytes = 1 << 20

// Handler verifies each POST and passes its event to handle. It answers
// 204 when handle returns nil, 500 when it returns an error (so the
// sender retries), 401 for a missing or bad signature or a stale
// timestamp, 400 for a signed body that is not an event, 413 for a body
// over MaxBodyBytes and 405 for anything but POST.
func Handler(v Verifier, handle func(context.Context, *Event) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "webhook: POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				http.Error(w, "webhook: body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "webhook: reading the body failed", http.StatusBadRequest)
			return
		}
		ev, err := v.Verify(r.Header, body)
		switch {
		case errors.Is(err, ErrPayload):
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		case errors.Is(err, ErrNoSecrets), errors.Is(err, ErrSecret):
			// The receiver's configuration is wrong, not the request: a 5xx
			// keeps the deliveries coming until it is fixed.
			http.Error(w, "webhook: receiver misconfigured", http.StatusInternalServerError)
			return
		case err != nil:
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if err := handle(r.Context(), ev); err != nil {
			http.Error(w, "webhook: not processed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
