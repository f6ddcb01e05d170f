#!/usr/bin/env bash
# Runs the whole suite: lint, unit tests and end-to-end tests against one
# real Keycloak for the whole run. With KEYCLOAK_URL set, that server is
# used and left running; otherwise scripts/keycloak.sh starts one and this
# script stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== lint" >&2
make --no-print-directory lint

# Every package with the race detector, the end-to-end tests against the
# in-memory Keycloak: quick, it keeps the fake honest next to the real
# server below, and it catches data races in the concurrent reads and
# writes (it found one in the live reader).
echo "== go test -race -short (in-memory Keycloak)" >&2
go test -race -short -count=1 ./...

started=""
if [ -z "${KEYCLOAK_URL:-}" ]; then
  # A server that was already running (make demo's) is used and left
  # running: stop only what this script started.
  if ! scripts/keycloak.sh status >/dev/null 2>&1; then
    started=1
  fi
  echo "== starting Keycloak ${KEYCLOAK_VERSION:-(default version)}" >&2
  scripts/keycloak.sh up >/dev/null
  if [ -n "$started" ]; then
    trap 'scripts/keycloak.sh down >&2 || true' EXIT
  fi
  eval "$(scripts/keycloak.sh env)"
  export KEYCLOAK_URL KEYCLOAK_USER KEYCLOAK_PASSWORD KEYCLOAK_LOG
fi

echo "== go test against $KEYCLOAK_URL" >&2
# -p 1: packages one at a time, so end-to-end tests never compete with
# unit tests for the two cores the server also needs.
go test -count=1 -p 1 -timeout 40m ./... "$@"

# In CI the end-to-end suite runs once more, against the oldest Keycloak
# realmsync supports, on a server of its own (make matrix runs them all).
if [[ -n "${CI:-}" && -z "${KEYCLOAK_VERSION:-}" ]]; then
  oldest=24.0.5
  if [ -n "$started" ]; then
    scripts/keycloak.sh down >&2 || true # the first server's work is done
    trap - EXIT
  fi
  echo "== go test ./internal/e2e against Keycloak $oldest (the oldest supported)" >&2
  old=(env KEYCLOAK_VERSION=$oldest KEYCLOAK_PORT=8289 KEYCLOAK_MGMT_PORT=9209)
  "${old[@]}" scripts/keycloak.sh up >/dev/null
  trap '"${old[@]}" scripts/keycloak.sh down >&2 || true' EXIT
  KEYCLOAK_URL=$("${old[@]}" scripts/keycloak.sh url) KEYCLOAK_LOG=$("${old[@]}" scripts/keycloak.sh logs) \
    go test -count=1 -timeout 40m ./internal/e2e/
fi
