// Package gen pins the code generator (go-swagger) in its own module so the
// product's go.mod does not carry the generator's dependencies. Run it with
// `go tool -modfile=gen/go.mod swagger ...` or through `make generate`.
package gen
