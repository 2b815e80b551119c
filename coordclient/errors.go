package coordclient

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/coordapi/coord/models"
)

// Error is an error response of the API: its HTTP status, the Error body's
// stable code, message and details, and the request id the server logged it
// under. It unwraps to the generated response (e.g.
// *sessions.PostSessionConflict), so errors.As finds either.
type Error struct {
	Status    int      // the HTTP status
	Code      string   // stable and machine-readable: a models.ErrorCode constant (models.ErrorCodeNotFound, ...)
	Message   string   // for humans
	Details   []string // e.g. the missing requirements, the id of the open session
	RequestID string   // the response's X-Request-Id: quote it when asking about this error
	resp      error
}

func (e *Error) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the generated error response.
func (e *Error) Unwrap() error { return e.resp }

// IsCode reports whether err is (or wraps) an API error with this code:
// one of the models.ErrorCode constants, generated from the spec's enum.
//
//	if coordclient.IsCode(err, models.ErrorCodeRequirementsNotMet) { ... }
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// generatedError is what every generated error response implements.
type generatedError interface {
	error
	Code() int
	GetPayload() *models.Error
}

// apiError turns a generated error response into an *Error; nil when err
// is not one (a transport error).
func apiError(err error) *Error {
	var ge generatedError
	if !errors.As(err, &ge) {
		return nil
	}
	e := &Error{Status: ge.Code(), Message: http.StatusText(ge.Code()), resp: err}
	if p := ge.GetPayload(); p != nil {
		e.Code = p.Code
		e.Details = append([]string(nil), p.Details...)
		if p.Message != "" {
			e.Message = p.Message
		}
	}
	return e
}
