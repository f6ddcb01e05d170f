#!/usr/bin/env bash
# The demo: start a local Keycloak, show the plan for examples/realms, sync
# it, and show that a second plan has nothing left to do.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/keycloak.sh up >/dev/null
eval "$(scripts/keycloak.sh env)"
export KEYCLOAK_URL KEYCLOAK_USER KEYCLOAK_PASSWORD
# The example's one secret comes from the environment, as in real use.
export ACME_ORDERS_API_SECRET="${ACME_ORDERS_API_SECRET:-demo-only-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')}"

[ -x bin/realmsync ] || go build -o bin/realmsync .

echo "== realmsync plan examples/realms" >&2
bin/realmsync plan examples/realms || [ $? -eq 2 ]
echo >&2
echo "== realmsync sync examples/realms" >&2
bin/realmsync sync examples/realms
echo >&2
echo "== realmsync plan examples/realms (again: nothing to do)" >&2
bin/realmsync plan examples/realms
echo >&2
echo "Keycloak keeps running at $KEYCLOAK_URL (admin console: $KEYCLOAK_URL/admin, user $KEYCLOAK_USER)." >&2
echo "Stop it with: scripts/keycloak.sh down" >&2
