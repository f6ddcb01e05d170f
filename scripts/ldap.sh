#!/usr/bin/env bash
# Run a throwaway OpenLDAP directory for the user federation tests: slapd
# on 127.0.0.1 with a configuration and database of its own, seeded with
# users in groups, started by this script and stopped by it. No system
# service is started or left behind.
#
# Usage: scripts/ldap.sh up|down|status|url|env|logs
#
#   up      install Debian's slapd and ldap-utils when missing, seed a new
#           directory (once), start slapd in the background, wait until it
#           answers and print its URL on stdout; a no-op if it is running.
#   down    stop slapd and remove its directory.
#   status  exit 0 if it answers, 1 otherwise.
#   url     print the URL.
#   env     print `export LDAP_...=...` lines, for `eval "$(... env)"`.
#   logs    print the path of slapd's log (binds and searches: loglevel stats).
#
# Only stdout carries results; progress and errors go to stderr.
#
# Environment (all optional):
#   LDAP_PORT            port on 127.0.0.1                  (3389)
#   LDAP_USERS           users to seed, user0001...         (500)
#   LDAP_GROUPS          groups to seed, group01...         (20)
#   LDAP_ADMIN_PASSWORD  the directory manager's password   (admin-secret)
#   LDAP_BIND_PASSWORD   the keycloak service account's     (bind-secret)
#   REALMSYNC_CACHE      state root                         (${XDG_CACHE_HOME:-~/.cache}/realmsync)
set -euo pipefail

readonly PORT="${LDAP_PORT:-3389}"
readonly USERS="${LDAP_USERS:-500}"
readonly NGROUPS="${LDAP_GROUPS:-20}"
readonly ADMIN_PASSWORD="${LDAP_ADMIN_PASSWORD:-admin-secret}"
readonly BIND_PASSWORD="${LDAP_BIND_PASSWORD:-bind-secret}"
readonly HOST=127.0.0.1
readonly URL="ldap://$HOST:$PORT"
readonly BASE="dc=example,dc=org"
readonly ADMIN_DN="cn=admin,$BASE"
readonly BIND_DN="cn=keycloak,ou=services,$BASE"

readonly CACHE_DIR="${REALMSYNC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/realmsync}"
readonly STATE_DIR="$CACHE_DIR/ldap-$PORT"
readonly PID_FILE="$STATE_DIR/slapd.pid"
readonly LOG_FILE="$STATE_DIR/slapd.log"

log() { echo "ldap.sh: $*" >&2; }
die() {
	log "$*"
	exit 1
}

answers() {
	ldapsearch -x -H "$URL" -b '' -s base -o nettimeout=2 namingContexts >/dev/null 2>&1
}

running() {
	[[ -f $PID_FILE ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null && answers
}

# install puts Debian's slapd and OpenLDAP's clients on the machine. The
# package's own service must not start: a policy that denies every start
# holds while it installs, and any daemon it left is stopped.
install() {
	if command -v slapd >/dev/null 2>&1 || [[ -x /usr/sbin/slapd ]]; then
		command -v ldapsearch >/dev/null 2>&1 && return
	fi
	local sudo=()
	if [[ $EUID -ne 0 ]]; then
		command -v sudo >/dev/null 2>&1 || die "slapd is not installed, and installing it needs root (or sudo)"
		sudo=(sudo)
	fi
	log "installing slapd and ldap-utils (Debian packages)"
	local policy=/usr/sbin/policy-rc.d had_policy=""
	[[ -e $policy ]] && had_policy=1
	if [[ -z $had_policy ]]; then
		printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
		"${sudo[@]}" chmod +x "$policy"
	fi
	local pkgs=(slapd ldap-utils)
	if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}" >&2; then
		"${sudo[@]}" apt-get update >&2
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}" >&2
	fi
	[[ -z $had_policy ]] && "${sudo[@]}" rm -f "$policy"
	# A service started anyway (no policy support) must not hold port 389.
	"${sudo[@]}" service slapd stop >/dev/null 2>&1 || true
}

slapd_bin() {
	if command -v slapd >/dev/null 2>&1; then command -v slapd; else echo /usr/sbin/slapd; fi
}

# config writes slapd.conf: the standard schemas, one mdb database, the
# directory manager as rootdn, the keycloak account reading everything
# and writing people (the WRITABLE tests), users changing their own
# password.
config() {
	local hash
	hash=$(slappasswd -s "$ADMIN_PASSWORD")
	cat >"$STATE_DIR/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
loglevel stats
sizelimit unlimited

access to attrs=userPassword
  by self write
  by dn.exact="$BIND_DN" write
  by anonymous auth
  by * none
access to dn.subtree="ou=people,$BASE"
  by dn.exact="$BIND_DN" write
  by * read
access to *
  by * read

database mdb
maxsize 1073741824
suffix "$BASE"
rootdn "$ADMIN_DN"
rootpw $hash
directory $STATE_DIR/db
index objectClass eq
index uid,cn,member eq
EOF
}

# seed writes the tree: people, groups (each user in exactly one), roles,
# and the keycloak service account.
seed() {
	local bind_hash
	bind_hash=$(slappasswd -s "$BIND_PASSWORD")
	{
		printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n\n' "$BASE"
		for ou in people groups roles services; do
			printf 'dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n' "$ou" "$BASE" "$ou"
		done
		printf 'dn: %s\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: keycloak\nuserPassword: %s\n\n' "$BIND_DN" "$bind_hash"
		awk -v users="$USERS" -v groups="$NGROUPS" -v base="$BASE" 'BEGIN {
			for (i = 1; i <= users; i++) {
				id = sprintf("%04d", i)
				printf "dn: uid=user%s,ou=people,%s\nobjectClass: inetOrgPerson\nobjectClass: organizationalPerson\nobjectClass: person\nobjectClass: top\n", id, base
				printf "uid: user%s\ncn: First%s Last%s\ngivenName: First%s\nsn: Last%s\nmail: user%s@example.org\n", id, id, id, id, id, id
				printf "userPassword: password\nemployeeNumber: %d\ndepartmentNumber: dept-%02d\n\n", i, (i - 1) % groups + 1
			}
			for (g = 1; g <= groups; g++) {
				printf "dn: cn=group%02d,ou=groups,%s\nobjectClass: groupOfNames\ncn: group%02d\n", g, base, g
				for (i = g; i <= users; i += groups) printf "member: uid=user%04d,ou=people,%s\n", i, base
				printf "\n"
			}
			printf "dn: cn=role-admin,ou=roles,%s\nobjectClass: groupOfNames\ncn: role-admin\n", base
			for (i = 1; i <= 5 && i <= users; i++) printf "member: uid=user%04d,ou=people,%s\n", i, base
			printf "\ndn: cn=role-viewer,ou=roles,%s\nobjectClass: groupOfNames\ncn: role-viewer\n", base
			for (i = 1; i <= 50 && i <= users; i++) printf "member: uid=user%04d,ou=people,%s\n", i, base
			printf "\n"
		}'
	} >"$STATE_DIR/seed.ldif"
	slapadd -q -f "$STATE_DIR/slapd.conf" -l "$STATE_DIR/seed.ldif" >&2
}

up() {
	if running; then
		echo "$URL"
		return
	fi
	install
	if [[ -f $PID_FILE ]]; then
		kill "$(cat "$PID_FILE")" 2>/dev/null || true
	fi
	if [[ ! -f $STATE_DIR/db/data.mdb ]]; then
		rm -rf "$STATE_DIR"
		mkdir -p "$STATE_DIR/db"
		config
		local started=$SECONDS
		seed
		log "seeded $USERS users in $NGROUPS groups in $((SECONDS - started)) s"
	fi
	# -d stats: slapd stays in the foreground and logs every bind and
	# search, which tests read; the shell puts it in the background.
	nohup "$(slapd_bin)" -h "$URL/" -f "$STATE_DIR/slapd.conf" -d stats >"$LOG_FILE" 2>&1 &
	echo $! >"$PID_FILE"
	for _ in $(seq 1 100); do
		if answers; then
			log "slapd is up at $URL (pid $(cat "$PID_FILE"), log: $LOG_FILE)"
			echo "$URL"
			return
		fi
		kill -0 "$(cat "$PID_FILE")" 2>/dev/null || die "slapd exited; see $LOG_FILE"
		sleep 0.1
	done
	die "slapd did not answer on $URL within 10 s; see $LOG_FILE"
}

down() {
	if [[ -f $PID_FILE ]]; then
		local pid
		pid=$(cat "$PID_FILE")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 150); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -rf "$STATE_DIR"
}

case "${1:-}" in
up) up ;;
down) down ;;
status) running ;;
url) echo "$URL" ;;
logs) echo "$LOG_FILE" ;;
env)
	cat <<EOF
export LDAP_URL=$URL
export LDAP_BASE_DN='$BASE'
export LDAP_USERS_DN='ou=people,$BASE'
export LDAP_GROUPS_DN='ou=groups,$BASE'
export LDAP_ADMIN_DN='$ADMIN_DN'
export LDAP_ADMIN_PASSWORD='$ADMIN_PASSWORD'
export LDAP_BIND_DN='$BIND_DN'
export LDAP_BIND_PASSWORD='$BIND_PASSWORD'
export LDAP_LOG='$LOG_FILE'
EOF
	;;
*)
	echo "usage: $0 up|down|status|url|env|logs" >&2
	exit 1
	;;
esac
