package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	oaerrors "github.com/go-openapi/errors"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/models"
)

// The error codes of the transport, which no domain operation returns. With
// the domain's codes (coord.E*) they are every Error.code the API sends.
const (
	EMethodNotAllowed     = "method_not_allowed"     // known path, wrong method
	EPayloadTooLarge      = "payload_too_large"      // body over the limit
	EUnsupportedMediaType = "unsupported_media_type" // body not JSON
	ENotImplemented       = "not_implemented"        // operation not built yet
	ERateLimited          = "rate_limited"           // the access key is over its rate limit
)

// TransportCodes lists the transport's error codes.
var TransportCodes = []string{EMethodNotAllowed, EPayloadTooLarge, EUnsupportedMediaType, ENotImplemented, ERateLimited}

// statusOf is the one place that maps error codes to HTTP statuses.
var statusOf = map[string]int{
	coord.EInvalid:                 http.StatusBadRequest,
	coord.EValidation:              http.StatusUnprocessableEntity,
	coord.EUnauthorized:            http.StatusUnauthorized,
	coord.EForbidden:               http.StatusForbidden,
	coord.ENotFound:                http.StatusNotFound,
	EMethodNotAllowed:              http.StatusMethodNotAllowed,
	coord.EActiveSessionExists:     http.StatusConflict,
	coord.EPhysicalCheckout:        http.StatusConflict,
	coord.ENotRedeemable:           http.StatusConflict,
	coord.EIdempotencyKeyReused:    http.StatusUnprocessableEntity,
	coord.ELocationNotTransactable: http.StatusUnprocessableEntity,
	coord.ERequirementsNotMet:      http.StatusUnprocessableEntity,
	coord.ELinkingUnavailable:      http.StatusNotImplemented,
	EPayloadTooLarge:               http.StatusRequestEntityTooLarge,
	EUnsupportedMediaType:          http.StatusUnsupportedMediaType,
	ENotImplemented:                http.StatusNotImplemented,
	coord.EUnavailable:             http.StatusServiceUnavailable,
	ERateLimited:                   http.StatusTooManyRequests,
	coord.ECursorExpired:           http.StatusGone,
	coord.EInternal:                http.StatusInternalServerError,
}

// codeOfStatus names the framework's errors, which carry only a status.
var codeOfStatus = map[int]string{
	http.StatusBadRequest:            coord.EInvalid,
	http.StatusUnauthorized:          coord.EUnauthorized,
	http.StatusForbidden:             coord.EForbidden,
	http.StatusNotFound:              coord.ENotFound,
	http.StatusMethodNotAllowed:      EMethodNotAllowed,
	http.StatusNotAcceptable:         coord.EInvalid,
	http.StatusRequestEntityTooLarge: EPayloadTooLarge,
	http.StatusUnsupportedMediaType:  EUnsupportedMediaType,
	http.StatusUnprocessableEntity:   coord.EValidation,
	http.StatusNotImplemented:        ENotImplemented,
	http.StatusServiceUnavailable:    coord.EUnavailable,
	http.StatusTooManyRequests:       ERateLimited,
}

// problem is an error ready for the wire: a status and the Error model.
func problem(err error) (int, *models.Error) {
	var domain *coord.Error
	if errors.As(err, &domain) {
		status, ok := statusOf[domain.Code]
		if !ok {
			status = http.StatusInternalServerError
		}
		return status, &models.Error{Code: domain.Code, Message: domain.Message, Details: domain.Details}
	}
	status, e := frameworkProblem(err)
	return status, e
}

// frameworkProblem translates go-openapi's errors (routing, binding,
// validation, authentication) into the Error shape.
func frameworkProblem(err error) (int, *models.Error) {
	var composite *oaerrors.CompositeError
	var parse *oaerrors.ParseError
	var apiErr oaerrors.Error
	switch {
	case errors.As(err, &composite):
		var details []string
		status := http.StatusUnprocessableEntity
		for _, e := range flatten(composite) {
			details = append(details, e.Error())
			if isTypeError(e) && status == http.StatusUnprocessableEntity {
				status = http.StatusBadRequest
			}
			// A real HTTP status inside (415 for the content type) wins.
			if c, ok := e.(oaerrors.Error); ok && c.Code() < 600 && int(c.Code()) != http.StatusUnprocessableEntity {
				status = int(c.Code())
			}
		}
		return newProblem(status, "the request is invalid", details)
	case errors.As(err, &parse):
		return newProblem(http.StatusBadRequest, "the request could not be parsed", []string{parse.Error()})
	case isTypeError(err):
		return newProblem(http.StatusBadRequest, "the request is invalid", []string{err.Error()})
	case errors.As(err, &apiErr):
		status := int(apiErr.Code())
		if status >= 600 {
			return newProblem(http.StatusUnprocessableEntity, "the request is invalid", []string{apiErr.Error()})
		}
		if status == http.StatusUnauthorized {
			// The framework says "unauthenticated for invalid credentials" for
			// missing ones too; name what the operation needs instead.
			return newProblem(status, "missing or invalid credentials: this operation needs the access_key query parameter and, where documented, an Authorization: Bearer token", nil)
		}
		return newProblem(status, apiErr.Error(), nil)
	default:
		return newProblem(http.StatusInternalServerError, "internal error", nil)
	}
}

func newProblem(status int, message string, details []string) (int, *models.Error) {
	code, ok := codeOfStatus[status]
	if !ok {
		code = coord.EInternal
		if status < 500 {
			code = coord.EInvalid
		}
	}
	return status, &models.Error{Code: code, Message: message, Details: details}
}

func isTypeError(err error) bool {
	var v *oaerrors.Validation
	return errors.As(err, &v) && v.Code() == oaerrors.InvalidTypeCode
}

func flatten(c *oaerrors.CompositeError) []error {
	var out []error
	for _, e := range c.Errors {
		var inner *oaerrors.CompositeError
		if errors.As(e, &inner) {
			out = append(out, flatten(inner)...)
		} else if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// ServeError writes any error in the Error shape; it replaces go-openapi's
// ServeError so that framework errors look like ours. Internal errors are
// logged with the request's logger (and id) and answered without their text.
func ServeError() func(http.ResponseWriter, *http.Request, error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		status, body := problem(err)
		logServerFault(r.Context(), "request failed", status, err)
		var notAllowed *oaerrors.MethodNotAllowedError
		if errors.As(err, &notAllowed) {
			w.Header().Set("Allow", strings.Join(notAllowed.Allowed, ","))
		}
		writeJSON(w, status, body)
	}
}

// writeJSONNoSniff is writeJSON for answers a browser may render.
func writeJSONNoSniff(w http.ResponseWriter, status int, body any) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	writeJSON(w, status, body)
}

// logServerFault is the one rule for logging a failed answer: every 5xx is
// logged with the request's logger (and id), with its cause, except 501,
// which is a documented answer (linking not configured), not a fault. 4xx
// are the caller's and only show in the access log.
func logServerFault(ctx context.Context, msg string, status int, err error) {
	if status >= http.StatusInternalServerError && status != http.StatusNotImplemented {
		LoggerFrom(ctx).ErrorContext(ctx, msg, "status", status, "error", err)
	}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
