SHELL := /bin/bash
GO    ?= go
SWAGGER := $(GO) tool -modfile=gen/go.mod swagger
PRINCIPAL := github.com/coordapi/coord.Principal
PKGS := ./...
# The documentation UI embedded in the server (httpapi/docsui): Redoc's
# standalone bundle from its npm package, with its licences.
REDOC_VERSION := 2.5.4

.PHONY: all generate validate-spec check-generated build test test-sqlite test-postgres run lint spectral bench fuzz clean docs-assets check-docs-assets breaking contract contract-tools

all: build

## generate: validate the spec, then regenerate restapi/, models/ and client/ from scratch
# The generator writes the target directory's name into a go:generate line,
# so it runs in a scratch copy named "coord": the output is the same in any clone.
generate: validate-spec
	rm -rf restapi models client
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	mkdir -p "$$tmp/coord/gen"; cp swagger.yaml go.mod go.sum "$$tmp/coord/"; cp -r gen/templates gen/*.yaml "$$tmp/coord/gen/"; \
	gen="$(GO) tool -modfile=$(CURDIR)/gen/go.mod swagger"; \
	(cd "$$tmp/coord" && \
	 $$gen generate server --quiet -f swagger.yaml -A users -t . \
		--exclude-main --strict-responders --regenerate-configureapi --principal $(PRINCIPAL) -C gen/server.yaml && \
	 $$gen generate client --quiet -f swagger.yaml -A users -t . --skip-models -C gen/client.yaml); \
	cp -r "$$tmp/coord/restapi" "$$tmp/coord/models" "$$tmp/coord/client" .
	$(GO) mod tidy
	cd gen && $(GO) run ./openapi3 ../swagger.yaml ../api/openapi.yaml

validate-spec:
	$(SWAGGER) validate --stop-on-error swagger.yaml

## breaking: fail on any change oasdiff calls breaking between the last
## released contract and api/openapi.yaml (accepted ones are listed, with why)
breaking:
	cd gen && $(GO) tool oasdiff breaking --fail-on ERR --err-ignore ../api/released/accepted-breaks.txt \
		../api/released/v1.yaml ../api/openapi.yaml

## contract-tools: install the pinned npm contract tools (contract/package-lock.json)
CONTRACT_BIN := contract/node_modules/.bin
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true
contract-tools:
	cd contract && npm ci --no-audit --no-fund --loglevel=error

## spectral: lint both forms with spectral's standard oas ruleset: no result at any severity
spectral: contract-tools
	$(CONTRACT_BIN)/spectral lint --fail-severity=hint swagger.yaml api/openapi.yaml

## contract: what contract testers run, each with no error and no warning:
## redocly lint (recommended, strict) and openapi-typescript's Error.code union on
## the OpenAPI 3 form, spectral on both forms, prism's mock answering every
## example, and Dredd against a fresh demo server with contract/dredd-hooks.js
contract: spectral
	$(CONTRACT_BIN)/redocly lint --config contract/redocly.yaml api/openapi.yaml
	cd contract && node typescript-check.mjs ../api/openapi.yaml
	cd contract && node prism-check.mjs ../swagger.yaml
	contract/dredd.sh

## check-generated: regenerate and fail on any diff or untracked file
check-generated: generate
	@status=$$(git status --porcelain -- restapi models client go.mod go.sum api/openapi.yaml); \
	if [ -n "$$status" ]; then echo "generated code differs from swagger.yaml:"; echo "$$status"; exit 1; fi

## docs-assets: fetch the pinned Redoc bundle and its licences into httpapi/docsui (committed)
docs-assets:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack --silent redoc@$(REDOC_VERSION) >/dev/null && tar xzf redoc-$(REDOC_VERSION).tgz); \
	cp "$$tmp/package/bundles/redoc.standalone.js" "$$tmp/package/bundles/redoc.standalone.js.LICENSE.txt" httpapi/docsui/; \
	cp "$$tmp/package/LICENSE" httpapi/docsui/LICENSE; \
	echo "redoc@$(REDOC_VERSION)" > httpapi/docsui/VERSION

## check-docs-assets: refetch the pinned Redoc and fail if the committed copy differs
check-docs-assets: docs-assets
	@status=$$(git status --porcelain -- httpapi/docsui); \
	if [ -n "$$status" ]; then echo "httpapi/docsui differs from redoc@$(REDOC_VERSION) on npm:"; echo "$$status"; exit 1; fi

build:
	$(GO) build -o bin/users-server ./cmd/users-server
	$(GO) build -o bin/coord ./cmd/coord

## test: every test, on SQLite and (when COORD_TEST_POSTGRES is set) PostgreSQL
test:
	$(GO) test -count=1 $(PKGS)

run:
	$(GO) run ./cmd/users-server

lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -vE '^(restapi|models|client)/')); \
	if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi

## bench: build users-server and measure it with the load generator against
## its baselines, on SQLite and (when COORD_TEST_POSTGRES is set) PostgreSQL.
## BENCHFLAGS passes more flags: make bench BENCHFLAGS='-duration 20s'
bench:
	$(GO) build -o bin/users-server ./cmd/users-server
	$(GO) build -o bin/loadgen ./internal/bench/cmd/loadgen
	bin/loadgen -server bin/users-server $(BENCHFLAGS)

## bench-rss: the server's peak RSS on a SQLite file of 1,000,000 sessions
.PHONY: bench-rss
bench-rss:
	$(GO) build -o bin/users-server ./cmd/users-server
	$(GO) build -o bin/loadgen ./internal/bench/cmd/loadgen
	bin/loadgen -server bin/users-server -rss $(BENCHFLAGS)

clean:
	rm -rf bin
