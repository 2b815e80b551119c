// Package api holds the API contract in its OpenAPI 3 form: openapi.yaml,
// generated from swagger.yaml by `make generate` (gen/openapi3), for the
// server to serve at /openapi.json. released/ holds the last released
// contract, which `make breaking` compares it with.
package api

import _ "embed"

// OpenAPIYAML is openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPIYAML []byte
