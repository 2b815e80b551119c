package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/go-openapi/loads"
	"github.com/go-openapi/runtime/middleware"
	"github.com/go-openapi/strfmt"
	"github.com/go-openapi/validate"

	"github.com/coordapi/coord/restapi"
	"github.com/coordapi/coord/restapi/operations"
)

// specRoutes matches requests to operations of the expanded spec, so that
// every response schema is fully resolved.
var specRoutes = sync.OnceValue(func() *middleware.Context {
	doc, err := loads.Analyzed(restapi.SwaggerJSON, "")
	if err != nil {
		panic(err)
	}
	expanded, err := doc.Expanded()
	if err != nil {
		panic(err)
	}
	api := operations.NewUsersAPI(expanded)
	api.Init() // route table: one entry per operation
	ctx := api.Context()
	middleware.NewRouter(ctx, nil) // builds the router LookupRoute uses
	return ctx
})

// CheckResponse validates a raw response against swagger.yaml: the status is
// declared by the operation (or covered by its default), and the body
// matches that response's schema. It returns nil for paths outside the API.
func CheckResponse(req *http.Request, status int, header http.Header, body []byte) error {
	route, ok := specRoutes().LookupRoute(req)
	if !ok {
		return nil
	}
	op := route.Operation
	resp, declared := op.Responses.StatusCodeResponses[status]
	if !declared {
		if op.Responses.Default == nil {
			return fmt.Errorf("%s %s: status %d is not declared", req.Method, req.URL.Path, status)
		}
		resp = *op.Responses.Default
	}
	if resp.Schema == nil {
		if status == http.StatusFound && header.Get("Location") == "" {
			return fmt.Errorf("%s %s: 302 without a Location header", req.Method, req.URL.Path)
		}
		return nil
	}
	var data any
	if err := json.Unmarshal(body, &data); err != nil {
		return fmt.Errorf("%s %s: status %d body is not JSON: %v: %q", req.Method, req.URL.Path, status, err, body)
	}
	if err := validate.AgainstSchema(resp.Schema, data, strfmt.Default); err != nil {
		return fmt.Errorf("%s %s: status %d body does not match the spec: %v: %s", req.Method, req.URL.Path, status, err, body)
	}
	return nil
}

// validatingTransport checks every response that passes through it.
type validatingTransport struct {
	t    testing.TB
	next http.RoundTripper
}

func (v validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := v.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := CheckResponse(req, resp.StatusCode, resp.Header, body); err != nil {
		v.t.Errorf("spec violation: %v", err)
	}
	return resp, nil
}

// ValidatingClient is an *http.Client whose every response is checked against the spec.
func ValidatingClient(t testing.TB) *http.Client {
	return &http.Client{
		Transport:     validatingTransport{t: t, next: http.DefaultTransport},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
