package apitest

import (
	"errors"
	"testing"

	"github.com/coordapi/coord/models"
)

// APIError is what every generated error response of the client implements.
type APIError interface {
	error
	Code() int
	GetPayload() *models.Error
}

// Failure returns the status and Error code of a client error, failing the
// test if err is nil or not an API error in the Error shape.
func Failure(t testing.TB, err error) (status int, code string, e *models.Error) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error response, got success")
	}
	var apiErr APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("expected an API error response, got %T: %v", err, err)
	}
	p := apiErr.GetPayload()
	if p == nil || p.Code == "" || p.Message == "" {
		t.Fatalf("error response %d without the Error shape: %v", apiErr.Code(), err)
	}
	return apiErr.Code(), p.Code, p
}

// WantFailure asserts err is an API error with this status and code.
func WantFailure(t testing.TB, err error, status int, code string) *models.Error {
	t.Helper()
	gotStatus, gotCode, e := Failure(t, err)
	if gotStatus != status || gotCode != code {
		t.Fatalf("got %d %s (%s), want %d %s", gotStatus, gotCode, e.Message, status, code)
	}
	return e
}
