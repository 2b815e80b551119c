// Command openapi3 writes the OpenAPI 3 form of swagger.yaml with
// kin-openapi's openapi2conv, for the tools that read only OpenAPI 3
// (oasdiff, openapi-typescript, gateways). `make generate` runs it:
//
//	go run ./openapi3 ../swagger.yaml ../api/openapi.yaml
//
// Beyond the plain conversion it states what Swagger 2 cannot: the bearer
// credentials as http/bearer schemes, servers beyond localhost, and each
// parameter's x-example as its example.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: openapi3 swagger.yaml openapi.yaml")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "openapi3:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	doc3, err := convert(src)
	if err != nil {
		return err
	}
	b, err := toYAML(doc3)
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}

// bearerSchemes are the Swagger 2 apiKey schemes on Authorization that
// really are "Bearer <token>".
var bearerSchemes = map[string]string{"user_jwt": "JWT", "server_token": ""}

func convert(swaggerYAML []byte) (*openapi3.T, error) {
	var raw any
	if err := yaml.Unmarshal(swaggerYAML, &raw); err != nil {
		return nil, fmt.Errorf("parse swagger: %w", err)
	}
	js, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("swagger to JSON: %w", err)
	}
	var doc2 openapi2.T
	if err := json.Unmarshal(js, &doc2); err != nil {
		return nil, fmt.Errorf("load swagger: %w", err)
	}
	doc3, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return nil, fmt.Errorf("convert: %w", err)
	}

	for name, format := range bearerSchemes {
		ref := doc3.Components.SecuritySchemes[name]
		if ref == nil || ref.Value == nil {
			return nil, fmt.Errorf("no security scheme %q", name)
		}
		ref.Value = &openapi3.SecurityScheme{Type: "http", Scheme: "bearer", BearerFormat: format,
			Description: ref.Value.Description}
	}

	// The first server is relative: the host the document came from. The
	// second names any deployment (users-server with no flags listens on
	// localhost:8080).
	doc3.Servers = openapi3.Servers{
		{URL: doc2.BasePath, Description: "The server this document is served by"},
		{URL: "{scheme}://{host}" + doc2.BasePath, Description: "A deployment of the Users API",
			Variables: map[string]*openapi3.ServerVariable{
				"scheme": {Enum: []string{"https", "http"}, Default: "https"},
				"host":   {Default: "localhost:8080", Description: "The deployment's host[:port]"},
			}},
	}

	moveExamples := func(params openapi3.Parameters) {
		for _, p := range params {
			if p.Value == nil {
				continue
			}
			if ex, ok := p.Value.Extensions["x-example"]; ok {
				p.Value.Example = ex
				delete(p.Value.Extensions, "x-example")
			}
		}
	}
	for _, p := range doc3.Components.Parameters {
		moveExamples(openapi3.Parameters{p})
	}
	for _, item := range doc3.Paths.Map() {
		moveExamples(item.Parameters)
		for _, op := range item.Operations() {
			moveExamples(op.Parameters)
		}
	}
	return doc3, nil
}

// toYAML writes the document as YAML (keys sorted, as kin-openapi's JSON).
func toYAML(doc *openapi3.T) ([]byte, error) {
	js, err := doc.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(js, &v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString("# Generated from swagger.yaml by gen/openapi3 (make generate). Do not edit.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}
