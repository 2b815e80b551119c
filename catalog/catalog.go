// Package catalog loads the static configuration — partners, systems,
// locations and prices — from YAML, validating it with clear messages.
// With no file the embedded demo catalog is used, so the server runs with
// no configuration at all.
package catalog

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/coordapi/coord"
)

//go:embed demo.yaml
var demo []byte

// DemoSource is the embedded demo catalog's YAML, for tools that write a
// variant of it (the benchmarks add a webhook).
func DemoSource() []byte { return bytes.Clone(demo) }

// Demo returns the embedded demo catalog.
func Demo() *coord.Catalog {
	c, err := Parse(demo)
	if err != nil {
		panic("embedded demo catalog: " + err.Error())
	}
	return c
}

// Load reads and validates a catalog file; an empty path means the demo.
func Load(path string) (*coord.Catalog, error) {
	if path == "" {
		return Demo(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates a catalog document. Unknown fields are errors,
// so a typo in an operator's file fails loudly instead of being ignored.
func Parse(data []byte) (*coord.Catalog, error) {
	var doc document
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	partners, systems, errs := doc.build()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return coord.NewCatalog(partners, systems), nil
}
