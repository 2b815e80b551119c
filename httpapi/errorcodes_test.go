package httpapi

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/coordapi/coord/restapi"
)

// TestErrorCodeEnumMatchesTheCodesTheServerDefines keeps Error.code's enum in
// swagger.yaml and the Go code's error codes the same set, both ways: a new
// code in Go without the spec would break typed clients; a code in the spec
// that Go no longer defines is a promise nobody keeps.
func TestErrorCodeEnumMatchesTheCodesTheServerDefines(t *testing.T) {
	spec := specErrorCodes(t)
	defined := definedErrorCodes(t)
	for code, where := range defined {
		if !slices.Contains(spec, code) {
			t.Errorf("code %q (%s) is missing from Error.code's enum in swagger.yaml", code, where)
		}
	}
	for _, code := range spec {
		if _, ok := defined[code]; !ok {
			t.Errorf("Error.code's enum has %q, which the Go code does not define", code)
		}
	}
	if len(defined) < 10 {
		t.Fatalf("found only %d codes in the Go code; the scan is broken", len(defined))
	}
}

// specErrorCodes is Error.code's enum in the embedded spec.
func specErrorCodes(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Definitions struct {
			Error struct {
				Properties struct {
					Code struct {
						Enum []string `json:"enum"`
					} `json:"code"`
				} `json:"properties"`
			} `json:"Error"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(restapi.SwaggerJSON, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Definitions.Error.Properties.Code.Enum
}

// definedErrorCodes is every error code the Go code defines, with where: the
// string constants named E<Name> of the domain (root) package and of this
// package, and every code the status tables map. Constants are read from source so that a code added
// anywhere without touching the tables is still seen.
func definedErrorCodes(t *testing.T) map[string]string {
	t.Helper()
	codes := map[string]string{}
	for dir, pkg := range map[string]string{"..": "coord", ".": "httpapi"} {
		for name, value := range codeConstants(t, dir) {
			codes[value] = pkg + "." + name
		}
	}
	for code := range statusOf {
		if _, ok := codes[code]; !ok {
			codes[code] = "statusOf"
		}
	}
	for _, code := range codeOfStatus {
		if _, ok := codes[code]; !ok {
			codes[code] = "codeOfStatus"
		}
	}
	return codes
}

var codeConstName = regexp.MustCompile(`^E[A-Z][A-Za-z]*$`)

// codeConstants returns the string constants named E<Name> declared in the
// non-test Go files of dir.
func codeConstants(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !codeConstName.MatchString(name.Name) || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					value, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out[name.Name] = value
				}
			}
		}
	}
	return out
}
