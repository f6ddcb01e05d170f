# realmsync: the two set-up commands are `make demo` and `make test`.
# Everything they need (Go modules, the Keycloak distribution) is fetched
# by the project's own scripts.

GO ?= go
BIN := bin/realmsync
# `realmsync version` names the commit a binary was built from.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: build demo test unit lint bench matrix keycloak-up keycloak-down clean

build:
	$(GO) build -ldflags "-X github.com/realmsync/realmsync/internal/cli.Version=$(VERSION)" -o $(BIN) .

# Start a local Keycloak and sync examples/realms into it.
demo: build
	scripts/demo.sh

# The whole suite: formatting, vet, unit tests and end-to-end tests
# against a real Keycloak started once for the run.
test:
	scripts/test.sh

# The end-to-end suite against every supported Keycloak, one after the
# other; prints a table (MATRIX_DBS="dev-file postgres" adds PostgreSQL).
matrix:
	scripts/matrix.sh

# Benchmarks against a real Keycloak; writes BENCHMARKS.md.
bench:
	scripts/bench.sh

# Without a server: unit tests, and the end-to-end suite against the
# in-memory Keycloak (internal/fakekc).
unit:
	$(GO) test -short ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...

keycloak-up:
	scripts/keycloak.sh up

keycloak-down:
	scripts/keycloak.sh down

clean:
	rm -rf bin
