package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	oaerrors "github.com/go-openapi/errors"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/models"
)

// statusOf is the one place that maps domain error codes to HTTP statuses.
var statusOf = map[string]int{
	coord.EInvalid:                 http.StatusBadRequest,
	coord.EValidation:              http.StatusUnprocessableEntity,
	coord.EUnauthorized:            http.StatusUnauthorized,
	coord.EForbidden:               http.StatusForbidden,
	coord.ENotFound:                http.StatusNotFound,
	coord.EMethodNotAllowed:        http.StatusMethodNotAllowed,
	coord.EActiveSessionExists:     http.StatusConflict,
	coord.EPhysicalCheckout:        http.StatusConflict,
	coord.ENotRedeemable:           http.StatusConflict,
	coord.EIdempotencyKeyReused:    http.StatusUnprocessableEntity,
	coord.ELocationNotTransactable: http.StatusUnprocessableEntity,
	coord.ERequirementsNotMet:      http.StatusUnprocessableEntity,
	coord.ELinkingUnavailable:      http.StatusNotImplemented,
	coord.EPayloadTooLarge:         http.StatusRequestEntityTooLarge,
	coord.EUnsupportedMediaType:    http.StatusUnsupportedMediaType,
	coord.ENotImplemented:          http.StatusNotImplemented,
	coord.EUnavailable:             http.StatusServiceUnavailable,
	coord.ERateLimited:             http.StatusTooManyRequests,
	coord.EInternal:                http.StatusInternalServerError,
}

// codeOfStatus names the framework's errors, which carry only a status.
var codeOfStatus = map[int]string{
	http.StatusBadRequest:            coord.EInvalid,
	http.StatusUnauthorized:          coord.EUnauthorized,
	http.StatusForbidden:             coord.EForbidden,
	http.StatusNotFound:              coord.ENotFound,
	http.StatusMethodNotAllowed:      coord.EMethodNotAllowed,
	http.StatusNotAcceptable:         coord.EInvalid,
	http.StatusRequestEntityTooLarge: coord.EPayloadTooLarge,
	http.StatusUnsupportedMediaType:  coord.EUnsupportedMediaType,
	http.StatusUnprocessableEntity:   coord.EValidation,
	http.StatusNotImplemented:        coord.ENotImplemented,
	http.StatusServiceUnavailable:    coord.EUnavailable,
	http.StatusTooManyRequests:       coord.ERateLimited,
}

// problem is an error ready for the wire: a status and the Error model.
func problem(err error) (int, *models.Error) {
	var domain *coord.Error
	if errors.As(err, &domain) {
		status, ok := statusOf[domain.Code]
		if !ok {
			status = http.StatusInternalServerError
		}
		return status, &models.Error{Code: &domain.Code, Message: &domain.Message, Details: domain.Details}
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
	return status, &models.Error{Code: &code, Message: &message, Details: details}
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
		if status >= 500 && status != http.StatusNotImplemented && status != http.StatusServiceUnavailable {
			LoggerFrom(r.Context()).ErrorContext(r.Context(), "request failed", "error", err)
		}
		var notAllowed *oaerrors.MethodNotAllowedError
		if errors.As(err, &notAllowed) {
			w.Header().Set("Allow", strings.Join(notAllowed.Allowed, ","))
		}
		writeJSON(w, status, body)
	}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
