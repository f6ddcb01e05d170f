#!/usr/bin/env bash
# Benchmarks against a real Keycloak (started here unless KEYCLOAK_URL is
# set): cold apply, no-op plan, a 1% change, the read floor and the
# server's partial import, for the presets in REALMSYNC_BENCH_PRESETS
# (default: small,medium,large), and a tree of REALMSYNC_BENCH_REALMS small
# realms (default 50; 0 leaves it out) planned at once against one of them.
# REALMSYNC_BENCH_BASELINE=<binary> also times that build's no-op plan
# against this one's, alternating. Writes BENCHMARKS.md. Then the engine's own
# benchmarks (diff and plan in memory, no server).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${KEYCLOAK_URL:-}" ]; then
  scripts/keycloak.sh up >/dev/null
  trap 'scripts/keycloak.sh down >&2 || true' EXIT
  eval "$(scripts/keycloak.sh env)"
  export KEYCLOAK_URL KEYCLOAK_USER KEYCLOAK_PASSWORD KEYCLOAK_LOG
fi
# KEYCLOAK_DB=postgres measures Keycloak on PostgreSQL, into its own file.
out="$PWD/BENCHMARKS.md"
if [ "${KEYCLOAK_DB:-dev-file}" = postgres ]; then
  out="$PWD/BENCHMARKS-postgres.md"
fi
REALMSYNC_BENCH="$out" go test -count=1 -timeout 150m -run 'TestBenchmarks$' -v ./internal/e2e/
go test -run '^$' -bench . -benchmem ./internal/diff/
