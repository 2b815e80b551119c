package httpapi

import (
	"github.com/coordapi/coord"
	"github.com/coordapi/coord/restapi/operations"
	"github.com/coordapi/coord/restapi/operations/testing"
	"github.com/coordapi/coord/restapi/operations/tokens"
	"github.com/coordapi/coord/restapi/operations/users"
)

// registerUsers wires the user and token operations. Until they are built
// they answer 501 in the Error shape.
func registerUsers(api *operations.UsersAPI, svc *coord.Service) {
	notYet := coord.Errorf(coord.ENotImplemented, "this operation is not implemented yet")
	api.TokensCreateJwtHandler = tokens.CreateJwtHandlerFunc(func(p tokens.CreateJwtParams, _ *coord.Principal) tokens.CreateJwtResponder {
		return errorResponse(p.HTTPRequest.Context(), tokens.NewCreateJwtDefault(0), notYet)
	})
	api.TestingCreateTestJwtHandler = testing.CreateTestJwtHandlerFunc(func(p testing.CreateTestJwtParams, _ *coord.Principal) testing.CreateTestJwtResponder {
		return errorResponse(p.HTTPRequest.Context(), testing.NewCreateTestJwtDefault(0), notYet)
	})
	api.UsersGetUserHandler = users.GetUserHandlerFunc(func(p users.GetUserParams, _ *coord.Principal) users.GetUserResponder {
		return errorResponse(p.HTTPRequest.Context(), users.NewGetUserDefault(0), notYet)
	})
	api.UsersPutVehicleHandler = users.PutVehicleHandlerFunc(func(p users.PutVehicleParams, _ *coord.Principal) users.PutVehicleResponder {
		return errorResponse(p.HTTPRequest.Context(), users.NewPutVehicleDefault(0), notYet)
	})
	api.UsersLinkAccountHandler = users.LinkAccountHandlerFunc(func(p users.LinkAccountParams, _ *coord.Principal) users.LinkAccountResponder {
		return errorResponse(p.HTTPRequest.Context(), users.NewLinkAccountDefault(0), notYet)
	})
	api.TestingTestLinkUserAccountHandler = testing.TestLinkUserAccountHandlerFunc(func(p testing.TestLinkUserAccountParams, _ *coord.Principal) testing.TestLinkUserAccountResponder {
		return errorResponse(p.HTTPRequest.Context(), testing.NewTestLinkUserAccountDefault(0), notYet)
	})
}
