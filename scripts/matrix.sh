#!/usr/bin/env bash
# Run the end-to-end suite against every supported Keycloak version, one
# after the other (each with a fresh server), and print a table: version ×
# database → tests passed, failed and skipped, and wall time.
#
# Environment (all optional):
#   MATRIX_VERSIONS  versions to run   (24.0.5 25.0.6 26.0.8 26.2.5 26.3.5 26.5.6 26.7.3)
#   MATRIX_DBS       databases         (dev-file; add postgres for PostgreSQL)
#   MATRIX_PORT      Keycloak's port   (8389; the management port is +1000)
#   MATRIX_LOG_DIR   per-run test logs (${TMPDIR:-/tmp}/realmsync-matrix)
set -uo pipefail
cd "$(dirname "$0")/.."

versions=${MATRIX_VERSIONS:-"24.0.5 25.0.6 26.0.8 26.2.5 26.3.5 26.5.6 26.7.3"}
dbs=${MATRIX_DBS:-dev-file}
port=${MATRIX_PORT:-8389}
logs=${MATRIX_LOG_DIR:-${TMPDIR:-/tmp}/realmsync-matrix}
mkdir -p "$logs"
export KEYCLOAK_PORT=$port KEYCLOAK_MGMT_PORT=$((port + 1000))

rows=()
status=0
for db in $dbs; do
	for v in $versions; do
		log="$logs/e2e-$v-$db.log"
		start=$SECONDS
		echo "== Keycloak $v on $db" >&2
		if ! url=$(KEYCLOAK_VERSION=$v KEYCLOAK_DB=$db scripts/keycloak.sh up); then
			rows+=("| $v | $db | server did not start | | | $((SECONDS - start)) s |")
			status=1
			KEYCLOAK_VERSION=$v KEYCLOAK_DB=$db scripts/keycloak.sh down >/dev/null 2>&1
			continue
		fi
		KEYCLOAK_URL=$url go test -count=1 -v -timeout 40m ./internal/e2e/ >"$log" 2>&1
		passed=$(grep -c '^--- PASS' "$log")
		failed=$(grep -c '^--- FAIL' "$log")
		skipped=$(grep -c '^--- SKIP' "$log")
		((failed == 0)) || status=1
		rows+=("| $v | $db | $passed | $failed | $skipped | $((SECONDS - start)) s |")
		KEYCLOAK_VERSION=$v KEYCLOAK_DB=$db scripts/keycloak.sh down >/dev/null 2>&1
	done
done

echo
echo "| Keycloak | database | passed | failed | skipped | wall time |"
echo "|---|---|--:|--:|--:|--:|"
printf '%s\n' "${rows[@]}"
echo
echo "Logs: $logs"
exit $status
