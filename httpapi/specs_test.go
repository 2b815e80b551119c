package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/go-openapi/swag/yamlutils"

	contract "github.com/coordapi/coord/api"
	"github.com/coordapi/coord/internal/apitest"
)

func getJSON(t *testing.T, url, host string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var doc map[string]any
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &doc) != nil {
		t.Fatalf("GET %s: %d %s %.200s", url, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	return doc
}

// TestServedSpecsNameNoHost: whatever host and port a request came to (a
// proxy's, a random test port), the served documents send "try it" back
// there: swagger.json has no host or schemes, openapi.json a relative server.
// Apart from that, openapi.json is the committed api/openapi.yaml.
func TestServedSpecsNameNoHost(t *testing.T) {
	s := apitest.New(t, "sqlite", apitest.Options{})
	for _, host := range []string{"", "api.example.test:8443"} {
		sw := getJSON(t, s.URL+"/swagger.json", host)
		if _, ok := sw["host"]; ok {
			t.Errorf("swagger.json names host %v", sw["host"])
		}
		if _, ok := sw["schemes"]; ok {
			t.Errorf("swagger.json names schemes %v", sw["schemes"])
		}
		if sw["swagger"] != "2.0" || sw["basePath"] != "/v1/users" {
			t.Errorf("swagger.json: swagger %v, basePath %v", sw["swagger"], sw["basePath"])
		}

		oa := getJSON(t, s.URL+"/openapi.json", host)
		servers, _ := oa["servers"].([]any)
		if len(servers) != 1 || servers[0].(map[string]any)["url"] != "./v1/users" {
			t.Errorf("openapi.json servers %v, want one relative ./v1/users", oa["servers"])
		}
		committed := committedOpenAPI(t)
		delete(committed, "servers")
		delete(oa, "servers")
		if !reflect.DeepEqual(committed, oa) {
			t.Errorf("openapi.json differs from api/openapi.yaml beyond its servers")
		}
	}
}

func committedOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	doc, err := yamlutils.BytesToYAMLDoc(contract.OpenAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yamlutils.YAMLToJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
