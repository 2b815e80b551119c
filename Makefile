SHELL := /bin/bash
GO    ?= go
SWAGGER := $(GO) tool -modfile=gen/go.mod swagger
PRINCIPAL := github.com/coordapi/coord.Principal
PKGS := ./...

.PHONY: all generate validate-spec check-generated build test test-sqlite test-postgres run lint spectral bench fuzz clean

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

validate-spec:
	$(SWAGGER) validate --stop-on-error swagger.yaml

## spectral: lint the spec with spectral's standard oas ruleset (needs npx)
spectral:
	npx -y @stoplight/spectral-cli@6.16.3 lint --fail-severity=warn swagger.yaml

## check-generated: regenerate and fail on any diff or untracked file
check-generated: generate
	@status=$$(git status --porcelain -- restapi models client go.mod go.sum); \
	if [ -n "$$status" ]; then echo "generated code differs from swagger.yaml:"; echo "$$status"; exit 1; fi

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
