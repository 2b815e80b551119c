package httpapi

import (
	"net/http"
	"net/url"

	"github.com/go-openapi/runtime"

	"github.com/coordapi/coord"
	"github.com/coordapi/coord/models"
	"github.com/coordapi/coord/restapi/operations"
	"github.com/coordapi/coord/restapi/operations/testing"
	"github.com/coordapi/coord/restapi/operations/tokens"
	"github.com/coordapi/coord/restapi/operations/users"
)

// User and token handlers: thin adapters from generated parameters to the
// coord.Service and back to generated responses.

// registerUsers wires the user and token operations.
func registerUsers(api *operations.UsersAPI, svc *coord.Service, links linkTokens) {
	api.TestingCreateTestJwtHandler = createTestJWT{svc}
	api.TokensCreateJwtHandler = createJWT{svc}
	api.UsersGetUserHandler = getUser{svc}
	api.UsersPutVehicleHandler = putVehicle{svc}
	api.UsersLinkAccountHandler = linkAccount{svc: svc, pages: links}
	api.TestingTestLinkUserAccountHandler = testLinkUserAccount{svc}
}

type createTestJWT struct{ svc *coord.Service }

func (h createTestJWT) Handle(p testing.CreateTestJwtParams, who *coord.Principal) testing.CreateTestJwtResponder {
	ctx := p.HTTPRequest.Context()
	tok, err := h.svc.MintTestToken(ctx, who.Partner,
		coord.TokenRequest{ExternalUID: p.Body.ExternalUID, Email: p.Body.Email, Name: p.Body.Name})
	if err != nil {
		return errorResponse(ctx, testing.NewCreateTestJwtDefault(0), err)
	}
	return testing.NewCreateTestJwtOK().WithPayload(&models.JWTResponse{JwtToken: tok})
}

type createJWT struct{ svc *coord.Service }

func (h createJWT) Handle(p tokens.CreateJwtParams, who *coord.Principal) tokens.CreateJwtResponder {
	ctx := p.HTTPRequest.Context()
	tok, err := h.svc.MintToken(ctx, who.Partner,
		coord.TokenRequest{ExternalUID: p.Body.ExternalUID, Email: p.Body.Email, Name: p.Body.Name})
	if err != nil {
		return errorResponse(ctx, tokens.NewCreateJwtDefault(0), err)
	}
	return tokens.NewCreateJwtOK().WithPayload(&models.JWTResponse{JwtToken: tok})
}

type getUser struct{ svc *coord.Service }

func (h getUser) Handle(p users.GetUserParams, who *coord.Principal) users.GetUserResponder {
	ctx := p.HTTPRequest.Context()
	u, systems, err := h.svc.CurrentUser(ctx, who.User)
	if err != nil {
		return errorResponse(ctx, users.NewGetUserDefault(0), err)
	}
	return users.NewGetUserOK().WithPayload(userModel(u, systems))
}

type putVehicle struct{ svc *coord.Service }

func (h putVehicle) Handle(p users.PutVehicleParams, who *coord.Principal) users.PutVehicleResponder {
	ctx := p.HTTPRequest.Context()
	lp := p.Body.LicensePlate
	v, err := h.svc.SetVehicle(ctx, who.User, coord.LicensePlate{Text: lp.Text, Country: lp.Country, Subdivision: lp.Subdivision})
	if err != nil {
		return errorResponse(ctx, users.NewPutVehicleDefault(0), err)
	}
	return users.NewPutVehicleOK().WithPayload(vehicleModel(v))
}

type testLinkUserAccount struct{ svc *coord.Service }

func (h testLinkUserAccount) Handle(p testing.TestLinkUserAccountParams, who *coord.Principal) testing.TestLinkUserAccountResponder {
	ctx := p.HTTPRequest.Context()
	systemID, linked := p.Body.SystemID, deref(p.Body.LinkedAccount)
	if err := h.svc.TestLink(ctx, who.User, systemID, linked); err != nil {
		return errorResponse(ctx, testing.NewTestLinkUserAccountDefault(0), err)
	}
	return testing.NewTestLinkUserAccountOK().WithPayload(&models.LinkedAccount{SystemID: systemID, LinkedAccount: &linked})
}

// linkAccount starts account linking in the user's browser. Its principal
// holds only the partner (the access_key); the user's JWT is a query
// parameter, verified by the service exactly like a bearer token.
type linkAccount struct {
	svc   *coord.Service
	pages linkTokens
}

func (h linkAccount) Handle(p users.LinkAccountParams, who *coord.Principal) users.LinkAccountResponder {
	ctx := p.HTTPRequest.Context()
	start, err := h.svc.StartLink(ctx, who.Partner, p.Jwt, p.SystemID, p.RedirectURI, deref(p.State))
	if err != nil {
		return linkAccountError{errorResponse(ctx, users.NewLinkAccountDefault(0), err)}
	}
	if start.Demo == nil {
		return users.NewLinkAccountFound().WithLocation(start.URL)
	}
	tok, err := h.pages.sign(*start.Demo)
	if err != nil {
		return linkAccountError{errorResponse(ctx, users.NewLinkAccountDefault(0), err)}
	}
	return users.NewLinkAccountFound().WithLocation(linkPageFromAPI + "?" + url.Values{"t": {tok}}.Encode())
}

// linkAccountError writes link_account's errors as JSON whatever the
// browser accepts: the operation also produces text/html, and an error
// message that quotes a query parameter must never be served as HTML.
type linkAccountError struct{ *users.LinkAccountDefault }

func (e linkAccountError) WriteResponse(rw http.ResponseWriter, _ runtime.Producer) {
	rw.Header().Set("Content-Type", "application/json")
	rw.Header().Set("X-Content-Type-Options", "nosniff")
	e.LinkAccountDefault.WriteResponse(rw, runtime.JSONProducer())
}
