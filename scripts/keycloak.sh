#!/usr/bin/env bash
# Run a real, local Keycloak server for development, integration tests and
# the demo.
#
# Usage: scripts/keycloak.sh up|down|status|url|logs|env
#        scripts/keycloak.sh export REALM DIR
#
#   up      download (once), start in the background, wait until ready and
#           print the base URL on stdout; a no-op if already running.
#   down    stop the server (SIGTERM, then SIGKILL after 30 s).
#   status  exit 0 if the server is running and ready, 1 otherwise.
#   url     print the base URL.
#   logs    print the path of the server log.
#   env     print `export KEYCLOAK_...=...` lines, for `eval "$(... env)"`.
#   export  write Keycloak's own export of REALM (kc.sh export, users in the
#           realm file) to DIR/REALM-realm.json while the server runs.
#
# Only stdout carries results (so `URL=$(scripts/keycloak.sh up)` works);
# every progress or error message goes to stderr.
#
# Environment (all optional):
#   KEYCLOAK_VERSION        distribution version            (26.7.3)
#   KEYCLOAK_PORT           HTTP port, bound to 127.0.0.1   (8089)
#   KEYCLOAK_MGMT_PORT      management (health) port        (9009)
#   KEYCLOAK_USER           bootstrap admin user            (admin)
#   KEYCLOAK_PASSWORD       bootstrap admin password        (admin)
#   KEYCLOAK_START_TIMEOUT  seconds to wait for readiness   (300)
#   KEYCLOAK_DB             dev-file (embedded H2) or postgres (dev-file): for
#                           postgres the script installs Debian's postgresql
#                           when missing and runs a throwaway cluster on
#                           127.0.0.1 as the unprivileged postgres user
#   KEYCLOAK_PG_PORT        that cluster's port             (KEYCLOAK_PORT + 2000)
#   REALMSYNC_CACHE         download/extraction cache  (${XDG_CACHE_HOME:-~/.cache}/realmsync)
#   REALMSYNC_STATE         per-instance state dir     (<cache>/run-<port>)
#   JAVA_HOME               JDK to use, if it is version 17 or newer
set -euo pipefail

readonly KC_VERSION="${KEYCLOAK_VERSION:-26.7.3}"
readonly PORT="${KEYCLOAK_PORT:-8089}"
readonly MGMT_PORT="${KEYCLOAK_MGMT_PORT:-9009}"
readonly ADMIN_USER="${KEYCLOAK_USER:-admin}"
readonly ADMIN_PASSWORD="${KEYCLOAK_PASSWORD:-admin}"
readonly START_TIMEOUT="${KEYCLOAK_START_TIMEOUT:-300}"
readonly STOP_TIMEOUT=30
readonly HOST=127.0.0.1
readonly KC_DB="${KEYCLOAK_DB:-dev-file}"
readonly PG_PORT="${KEYCLOAK_PG_PORT:-$((${KEYCLOAK_PORT:-8089} + 2000))}"

# Everything lives outside the source tree: the distribution is ~180 MB and
# the server writes its database and logs while it runs.
readonly CACHE_DIR="${REALMSYNC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/realmsync}"
readonly DIST_DIR="$CACHE_DIR/keycloak-$KC_VERSION"
# Keyed by port so that several instances (e.g. parallel test runs on other
# ports) never share a database, pid file or log.
readonly STATE_DIR="${REALMSYNC_STATE:-$CACHE_DIR/run-$PORT}"
readonly PID_FILE="$STATE_DIR/keycloak.pid"
readonly LOG_FILE="$STATE_DIR/keycloak.log"
readonly DATA_DIR="$STATE_DIR/data"
# The postgres user cannot enter root's home: as root, the cluster lives
# in a directory of its own under /tmp.
if [[ $EUID -eq 0 ]]; then
	readonly PG_DIR="/tmp/realmsync-pg-$PORT"
else
	readonly PG_DIR="$STATE_DIR/pg"
fi

readonly BASE_URL="http://$HOST:$PORT"
# Keycloak 25 moved health to a management interface of its own; 24
# serves it on the main port and knows no --http-management-port.
readonly KC_MAJOR="${KC_VERSION%%.*}"
[[ "$KC_MAJOR" =~ ^[0-9]+$ ]] || { printf 'keycloak.sh: error: KEYCLOAK_VERSION %s is not a version\n' "$KC_VERSION" >&2; exit 1; }
if ((KC_MAJOR >= 25)); then
	readonly READY_URL="http://$HOST:$MGMT_PORT/health/ready"
else
	readonly READY_URL="http://$HOST:$PORT/health/ready"
fi

log() { printf 'keycloak.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
	echo "usage: $0 up|down|status|url|logs|env | export REALM DIR" >&2
	exit 2
}

for n in "$PORT" "$MGMT_PORT" "$START_TIMEOUT"; do
	[[ "$n" =~ ^[0-9]+$ ]] || die "not a number: '$n' (check KEYCLOAK_PORT, KEYCLOAK_MGMT_PORT, KEYCLOAK_START_TIMEOUT)"
done
[[ "$PORT" != "$MGMT_PORT" ]] || die "KEYCLOAK_PORT and KEYCLOAK_MGMT_PORT must differ"
[[ "$KC_DB" == dev-file || "$KC_DB" == postgres ]] || die "KEYCLOAK_DB '$KC_DB': want dev-file or postgres"

# --- JDK -------------------------------------------------------------------

# Print the major version of the given java binary ("1.8.0_x" -> 8,
# "17.0.15" -> 17, "25" -> 25), or nothing if it cannot be run.
java_major() {
	local v
	v=$("$1" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }') || return 0
	v="${v#1.}"
	v="${v%%[!0-9]*}"
	printf '%s' "$v"
}

java_ok() {
	local m
	[[ -x "$1" ]] || return 1
	m=$(java_major "$1")
	[[ -n "$m" && "$m" -ge 17 ]]
}

# Keycloak 26 needs Java 17+. Prefer the caller's JAVA_HOME, then the JDKs
# known to be on the project's machines, then anything else installed.
find_java_home() {
	local d j
	if [[ -n "${JAVA_HOME:-}" ]] && java_ok "$JAVA_HOME/bin/java"; then
		printf '%s' "$JAVA_HOME"
		return
	fi
	for d in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
		if java_ok "$d/bin/java"; then
			printf '%s' "$d"
			return
		fi
	done
	if j=$(command -v java) && java_ok "$j"; then
		# Resolve /usr/bin/java -> .../bin/java so JAVA_HOME is a real JDK dir.
		j=$(readlink -f "$j")
		printf '%s' "${j%/bin/java}"
		return
	fi
	return 1
}

# --- distribution ------------------------------------------------------------

# Download and extract the distribution once. The extraction happens in a
# temporary directory that is renamed into place only when complete, so an
# interrupted run never leaves a half-extracted tree that looks usable.
# download_progress says how far mvn's download of the distribution has
# come, from the size of the file growing in Maven's local repository:
# mvn -q says nothing for the minute it takes, the longest silence a new
# user meets. Every 2 s on a terminal, every 10 s in logs.
download_progress() {
	local dir="${MAVEN_LOCAL_REPO:-$HOME/.m2/repository}/org/keycloak/keycloak-quarkus-dist/$KC_VERSION"
	local every=10 kb last=""
	[[ -t 2 ]] && every=2
	every="${KEYCLOAK_PROGRESS_EVERY:-$every}"
	while sleep "$every"; do
		kb=$(du -ck "$dir"/keycloak-quarkus-dist-"$KC_VERSION".tar.gz* 2>/dev/null | tail -n 1 | cut -f1)
		if [[ -n "$kb" && "$kb" -gt 0 && "$kb" != "$last" ]]; then
			log "downloading Keycloak $KC_VERSION: $((kb / 1024)) MB so far (about 180 MB in all)"
			last=$kb
		fi
	done
}

ensure_dist() {
	[[ -x "$DIST_DIR/bin/kc.sh" ]] && return 0
	command -v mvn >/dev/null || die "mvn not found; it is needed to fetch org.keycloak:keycloak-quarkus-dist:$KC_VERSION"

	local tmp tarball
	# Leftovers of an interrupted earlier attempt: we hold the `up` lock, so
	# no other extraction can be in progress.
	rm -rf "$CACHE_DIR/.keycloak-$KC_VERSION."*
	tmp=$(mktemp -d "$CACHE_DIR/.keycloak-$KC_VERSION.XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now: it is local to this function
	trap "rm -rf '$tmp'" EXIT

	log "fetching org.keycloak:keycloak-quarkus-dist:$KC_VERSION:tar.gz with mvn"
	# Run mvn from the empty temp dir so no pom.xml or .mvn/ config in the
	# caller's directory affects it. Its output (JVM warnings, colour codes
	# even with -q) is only shown if it fails, and then on stderr, to keep
	# our stdout clean.
	local out watcher
	download_progress &
	watcher=$!
	if ! out=$(cd "$tmp" && mvn -B -q -Dstyle.color=never dependency:copy \
		-Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:tar.gz" \
		-DoutputDirectory="$tmp" 2>&1); then
		kill "$watcher" 2>/dev/null
		printf '%s\n' "$out" >&2
		die "mvn could not fetch keycloak-quarkus-dist $KC_VERSION"
	fi
	kill "$watcher" 2>/dev/null
	wait "$watcher" 2>/dev/null || true
	tarball="$tmp/keycloak-quarkus-dist-$KC_VERSION.tar.gz"
	[[ -f "$tarball" ]] || die "mvn did not produce $tarball"

	log "extracting into $DIST_DIR"
	mkdir "$tmp/x"
	# --no-same-owner: when run as root, do not keep the archive's uid 1001.
	tar --no-same-owner -xzf "$tarball" -C "$tmp/x"
	[[ -x "$tmp/x/keycloak-$KC_VERSION/bin/kc.sh" ]] ||
		die "unexpected archive layout: no keycloak-$KC_VERSION/bin/kc.sh"
	# -T: fail instead of moving into an existing directory.
	mv -T "$tmp/x/keycloak-$KC_VERSION" "$DIST_DIR"
	rm -rf "$tmp"
	trap - EXIT
}

# --- process helpers -----------------------------------------------------------

# The pid recorded by `up`, if that process is still alive and still a
# Keycloak launched by us (guards against pid reuse after a reboot or crash).
running_pid() {
	local pid
	[[ -f "$PID_FILE" ]] || return 1
	pid=$(<"$PID_FILE")
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	# kc.sh's command line names kc.sh; after Keycloak's implicit
	# re-augmentation kc.sh execs java, whose command line has kc.home.dir.
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -Eq 'kc\.sh|kc\.home\.dir' || return 1
	printf '%s' "$pid"
}

is_ready() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$READY_URL" 2>/dev/null) || true
	[[ "$code" == 200 ]]
}

port_in_use() {
	# bash's /dev/tcp: a successful connect means something already listens.
	(exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# Signal the whole process group: kc.sh runs java as a child, and setsid
# made kc.sh a group leader, so the group is exactly this server.
signal_server() {
	local sig=$1 pid=$2 pgid
	pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') || true
	if [[ "$pgid" == "$pid" ]]; then
		kill "-$sig" -- "-$pid" 2>/dev/null || true
	else
		kill "-$sig" "$pid" 2>/dev/null || true
	fi
}

stop_server() {
	local pid=$1
	log "stopping Keycloak (pid $pid)"
	signal_server TERM "$pid"
	local deadline=$((SECONDS + STOP_TIMEOUT))
	while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
		sleep 0.5
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "still running after ${STOP_TIMEOUT}s, sending SIGKILL"
		signal_server KILL "$pid"
		sleep 1
	fi
	rm -f "$PID_FILE"
	log "stopped"
}

fail_with_log() {
	log "error: $*"
	if [[ -f "$LOG_FILE" ]]; then
		log "last 60 lines of $LOG_FILE:"
		tail -n 60 "$LOG_FILE" >&2
	fi
	exit 1
}

wait_ready() {
	local pid=$1 deadline=$((SECONDS + START_TIMEOUT))
	while ! is_ready; do
		kill -0 "$pid" 2>/dev/null || {
			rm -f "$PID_FILE"
			fail_with_log "Keycloak (pid $pid) exited before becoming ready"
		}
		if ((SECONDS >= deadline)); then
			# Do not leave a half-started server holding the ports and
			# ~1 GB of memory behind a failed `up` (e.g. in CI).
			stop_server "$pid" >&2
			fail_with_log "Keycloak not ready at $READY_URL after ${START_TIMEOUT}s; stopped it"
		fi
		sleep 1
	done
}

# --- commands ------------------------------------------------------------------

cmd_up() {
	mkdir -p "$CACHE_DIR" "$STATE_DIR"

	# Serialise concurrent `up`s: they would otherwise race on the extraction,
	# on Keycloak's first-start re-augmentation (which rewrites lib/quarkus in
	# the shared distribution) and on the pid file.
	exec 9>"$CACHE_DIR/.up.lock"
	if command -v flock >/dev/null; then flock 9; fi

	local pid
	if pid=$(running_pid); then
		# Already ours: maybe still starting (another caller's `up`).
		log "already running (pid $pid)"
		wait_ready "$pid"
		echo "$BASE_URL"
		return
	fi
	rm -f "$PID_FILE"

	local p ports=("$PORT")
	((KC_MAJOR < 25)) || ports+=("$MGMT_PORT")
	for p in "${ports[@]}"; do
		! port_in_use "$p" || die "port $p on $HOST is already in use by another process (set KEYCLOAK_PORT / KEYCLOAK_MGMT_PORT)"
	done

	local java_home
	java_home=$(find_java_home) ||
		die "no Java 17+ found: set JAVA_HOME to a JDK 17 or newer, or install one under /usr/lib/jvm"
	ensure_dist

	# The bootstrap admin is only created on an empty database, and tests want
	# a reproducible starting point, so every start gets a fresh database.
	rm -rf "${DATA_DIR:?}"
	mkdir -p "$DATA_DIR"
	# Keep the previous run's log for post-mortems.
	if [[ -f "$LOG_FILE" ]]; then mv -f "$LOG_FILE" "$LOG_FILE.prev"; fi

	log "starting Keycloak $KC_VERSION on $BASE_URL (java: $java_home, log: $LOG_FILE)"
	local start=$SECONDS
	# - start-dev: no TLS and relaxed hostname checks (hostname-strict is off
	#   in dev mode), and the embedded H2 "dev-file" database.
	# - --health-enabled exposes /health/ready on the management port, which
	#   shares --http-host, so it too binds to 127.0.0.1 only.
	# - -Dkc.db-url-path relocates dev-file's H2 database from
	#   <dist>/data/h2 to <state>/data/h2, and the object-store property does
	#   the same for the transaction log, so instances on different ports
	#   never share on-disk state and the distribution stays read-only apart
	#   from its build cache.
	# setsid puts the server in its own session/process group (so `down` can
	# stop kc.sh and its java child together and it survives our exit); fd 9
	# is closed so the server does not keep holding the lock.
	# - The bootstrap admin's variables are KC_BOOTSTRAP_ADMIN_* from 26 on,
	#   KEYCLOAK_ADMIN* before.
	local -a version_args=() admin_env=() db_args=()
	if [[ "$KC_DB" == postgres ]]; then
		start_postgres
		db_args=(--db=postgres "--db-url=jdbc:postgresql://$HOST:$PG_PORT/keycloak" --db-username=keycloak --db-password=keycloak)
	elif ((KC_MAJOR < 25)); then
		# Keycloak 24 ignores kc.db-url-path and would keep one database
		# in the distribution for every instance: name the file instead.
		db_args=("--db-url=jdbc:h2:file:$DATA_DIR/h2/keycloakdb;NON_KEYWORDS=VALUE")
	fi
	if ((KC_MAJOR >= 25)); then
		version_args+=(--http-management-port="$MGMT_PORT")
	fi
	if ((KC_MAJOR >= 26)); then
		admin_env=(KC_BOOTSTRAP_ADMIN_USERNAME="$ADMIN_USER" KC_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD")
	else
		admin_env=(KEYCLOAK_ADMIN="$ADMIN_USER" KEYCLOAK_ADMIN_PASSWORD="$ADMIN_PASSWORD")
	fi
	env "${admin_env[@]}" \
		JAVA_HOME="$java_home" \
		setsid nohup "$DIST_DIR/bin/kc.sh" start-dev \
		--http-host="$HOST" \
		--http-port="$PORT" \
		"${version_args[@]}" \
		"${db_args[@]}" \
		--health-enabled=true \
		"-Dkc.db-url-path=$STATE_DIR" \
		"-Dquarkus.transaction-manager.object-store.directory=$DATA_DIR/transaction-logs" \
		</dev/null >"$LOG_FILE" 2>&1 9>&- &
	pid=$!
	echo "$pid" >"$PID_FILE"

	wait_ready "$pid"
	log "ready after $((SECONDS - start))s (pid $pid)"
	echo "$BASE_URL"
}

cmd_down() {
	local pid
	if ! pid=$(running_pid); then
		rm -f "$PID_FILE"
		log "not running"
		stop_postgres
		return 0
	fi
	stop_server "$pid"
	stop_postgres
}

# --- PostgreSQL --------------------------------------------------------------

pg_bin() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[[ -n "$d" && -x "$d/pg_ctl" ]] && echo "$d"
}

# as_pg runs a PostgreSQL tool as the unprivileged postgres user (the
# server refuses to run as root), or as ourselves when we are not root.
as_pg() {
	if [[ $EUID -eq 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# start_postgres makes a fresh, throwaway cluster (as the H2 database is
# fresh on every start) and a keycloak database in it.
start_postgres() {
	local bin
	if ! bin=$(pg_bin); then
		[[ $EUID -eq 0 ]] || die "PostgreSQL is not installed; install Debian's postgresql package (as root: apt-get install postgresql)"
		log "installing Debian's postgresql"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 || die "apt-get install postgresql failed"
		bin=$(pg_bin) || die "postgresql installed, but no pg_ctl under /usr/lib/postgresql"
	fi
	stop_postgres
	rm -rf "${PG_DIR:?}"
	mkdir -p "$PG_DIR"
	[[ $EUID -ne 0 ]] || chown postgres "$PG_DIR"
	as_pg "$bin/initdb" -D "$PG_DIR/data" -U keycloak --auth=trust -E UTF8 >/dev/null ||
		die "initdb failed"
	as_pg "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w \
		-o "-p $PG_PORT -k $PG_DIR -c listen_addresses=$HOST" start >/dev/null ||
		die "PostgreSQL did not start (log: $PG_DIR/postgres.log)"
	as_pg "$bin/createdb" -h "$HOST" -p "$PG_PORT" -U keycloak keycloak || die "createdb failed"
	log "PostgreSQL on $HOST:$PG_PORT (cluster $PG_DIR)"
}

stop_postgres() {
	local bin
	bin=$(pg_bin) || return 0
	[[ -f "$PG_DIR/data/postmaster.pid" ]] || return 0
	as_pg "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
}

cmd_status() {
	local pid
	if ! pid=$(running_pid); then
		echo "not running"
		return 1
	fi
	if ! is_ready; then
		echo "running (pid $pid) but not ready at $READY_URL"
		return 1
	fi
	echo "running (pid $pid) at $BASE_URL"
}

cmd_env() {
	printf 'export KEYCLOAK_URL=%q\n' "$BASE_URL"
	printf 'export KEYCLOAK_USER=%q\n' "$ADMIN_USER"
	printf 'export KEYCLOAK_PASSWORD=%q\n' "$ADMIN_PASSWORD"
	printf 'export KEYCLOAK_LOG=%q\n' "$LOG_FILE"
}

# cmd_export runs kc.sh export against the running server's database. The
# server holds dev-file's H2 database locked, so the export reads a copy
# of it, taken after H2's write delay (committed changes reach the file
# within a second); postgres serves both at once.
cmd_export() {
	local realm="$1" out="$2"
	running_pid >/dev/null || die "Keycloak is not running on $BASE_URL: run up first"
	local java_home
	java_home=$(find_java_home) || die "no Java 17+ found"
	mkdir -p "$out"
	local snap
	snap=$(mktemp -d)
	local -a db_args=()
	if [[ "$KC_DB" == postgres ]]; then
		db_args=(--db=postgres "--db-url=jdbc:postgresql://$HOST:$PG_PORT/keycloak" --db-username=keycloak --db-password=keycloak)
	else
		sleep 2
		mkdir -p "$snap/data"
		# The export names the copy's file itself: Keycloak 24 ignores
		# kc.db-url-path.
		cp -r "$DATA_DIR/h2" "$snap/data/"
		db_args=("--db-url=jdbc:h2:file:$snap/data/h2/keycloakdb;NON_KEYWORDS=VALUE")
	fi
	local start=$SECONDS
	if ! env JAVA_HOME="$java_home" "$DIST_DIR/bin/kc.sh" export --dir "$out" --realm "$realm" --users realm_file \
		"${db_args[@]}" "-Dkc.db-url-path=$snap" \
		"-Dquarkus.transaction-manager.object-store.directory=$snap/transaction-logs" \
		</dev/null >"$snap/export.log" 2>&1; then
		tail -n 20 "$snap/export.log" >&2
		rm -rf "$snap"
		die "kc.sh export of realm $realm failed"
	fi
	rm -rf "$snap"
	log "exported realm $realm to $out in $((SECONDS - start))s"
}

if [[ "${1:-}" == export ]]; then
	[[ $# -eq 3 ]] || usage
	cmd_export "$2" "$3"
	exit 0
fi
[[ $# -eq 1 ]] || usage
case "$1" in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
url) echo "$BASE_URL" ;;
logs) echo "$LOG_FILE" ;;
env) cmd_env ;;
*) usage ;;
esac
