// Package gen pins the code generator (go-swagger), the OpenAPI 3 converter
// (kin-openapi's openapi2conv, in ./openapi3) and the breaking-change checker
// (oasdiff) in their own module so the product's go.mod does not carry their
// dependencies. Run them through `make generate` and `make breaking`.
package gen
