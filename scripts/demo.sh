#!/usr/bin/env bash
# The demo: start a local Keycloak, show the plan for examples/realms, sync
# it, and show that a second plan has nothing left to do.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/keycloak.sh up >/dev/null
eval "$(scripts/keycloak.sh env)"
export KEYCLOAK_URL KEYCLOAK_USER KEYCLOAK_PASSWORD
# The example's one secret comes from the environment, as in real use. A
# random one is made once and kept beside the server's files, so that a
# second `make demo` plans no change.
if [ -z "${ACME_ORDERS_API_SECRET:-}" ]; then
  secret_file="${REALMSYNC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/realmsync}/demo-secret"
  if [ ! -s "$secret_file" ]; then
    mkdir -p "$(dirname "$secret_file")"
    (umask 077 && printf 'demo-only-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >"$secret_file")
  fi
  ACME_ORDERS_API_SECRET=$(cat "$secret_file")
fi
export ACME_ORDERS_API_SECRET

[ -x bin/realmsync ] || go build -o bin/realmsync .

echo "== realmsync plan examples/realms" >&2
bin/realmsync plan examples/realms || [ $? -eq 2 ]
echo >&2
echo "== realmsync sync examples/realms" >&2
bin/realmsync sync --auto-approve examples/realms # the demo applies what it just showed
echo >&2
echo "== realmsync plan examples/realms (again: nothing to do)" >&2
bin/realmsync plan examples/realms
echo >&2
echo "Keycloak keeps running at $KEYCLOAK_URL (admin console: $KEYCLOAK_URL/admin, user $KEYCLOAK_USER)." >&2
echo "Stop it with: scripts/keycloak.sh down" >&2
