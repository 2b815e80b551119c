package httpapi

import (
	"encoding/json"
	"fmt"

	"github.com/go-openapi/swag/yamlutils"

	"github.com/coordapi/coord/api"
	"github.com/coordapi/coord/restapi"
)

// servedSpecs are swagger.json and openapi.json as served. Neither names a
// host: a Swagger 2 document without host and schemes means "the host and
// scheme this document came from", and the OpenAPI 3 server is relative to
// the document's URL, so "try it" works on any port, behind a proxy, and
// under a path prefix.
type servedSpecs struct {
	swagger, openapi []byte
}

func newServedSpecs() (servedSpecs, error) {
	var sw map[string]json.RawMessage
	if err := json.Unmarshal(restapi.SwaggerJSON, &sw); err != nil {
		return servedSpecs{}, fmt.Errorf("swagger.json: %w", err)
	}
	delete(sw, "host")
	delete(sw, "schemes")
	swagger, err := json.Marshal(sw)
	if err != nil {
		return servedSpecs{}, err
	}

	doc, err := yamlutils.BytesToYAMLDoc(api.OpenAPIYAML)
	if err != nil {
		return servedSpecs{}, fmt.Errorf("openapi.yaml: %w", err)
	}
	js, err := yamlutils.YAMLToJSON(doc)
	if err != nil {
		return servedSpecs{}, fmt.Errorf("openapi.yaml to JSON: %w", err)
	}
	var oa map[string]json.RawMessage
	if err := json.Unmarshal(js, &oa); err != nil {
		return servedSpecs{}, err
	}
	var basePath string
	_ = json.Unmarshal(sw["basePath"], &basePath)
	oa["servers"], _ = json.Marshal([]map[string]string{{
		"url":         "." + basePath,
		"description": "This server (relative to this document's URL)",
	}})
	openapi, err := json.Marshal(oa)
	if err != nil {
		return servedSpecs{}, err
	}
	return servedSpecs{swagger: swagger, openapi: openapi}, nil
}
