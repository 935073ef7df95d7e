#!/usr/bin/env bash
# run_all.sh -- THE one command that runs every test of inventree_perms.
#
#   bash test/run_all.sh            (as root, on Debian 12; CI: bash .ci/run)
#
# 1. installs the Debian packages it needs (skipped when all are present;
#    package.sh builds the Debian package, pgbouncer.sh runs PgBouncer),
# 2. builds with -Wall -Wextra -Werror and installs the extension,
# 3. starts a throwaway cluster (as the postgres OS user, in a temp dir, on a
#    free loopback port from $IP_TEST_PORT, default 5441),
# 4. runs `make installcheck` (pg_regress sql/ + expected/, and the isolation
#    specs), every pgTAP file test/pgtap/*.sql (pg_prove), and every shell
#    test test/shell/*.sh (each starts its own servers and prints TAP;
#    package.sh installs the package it builds and puts back what it
#    replaced, so the tests after it run this build),
# 5. prints one last line "N passed, N failed" (suites: installcheck = 1, each
#    pgTAP file = 1, each shell script = 1) and exits non-zero if any failed.
# The cluster is stopped and removed on exit, whatever happens.
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PGVER=15
PGBIN=${IP_PGBIN:-/usr/lib/postgresql/$PGVER/bin}
PACKAGES="postgresql-$PGVER postgresql-server-dev-$PGVER postgresql-$PGVER-pgtap
	libtap-parser-sourcehandler-pgtap-perl libipc-run-perl make gcc
	postgresql-server-dev-all debhelper dpkg-dev fakeroot pgbouncer"
SHELL_TIMEOUT=${IP_SHELL_TIMEOUT:-600}

passed=0
failed=0
failed_names=()
TMP=""

say() { printf '\n=== %s\n' "$*"; }

finish() {
	if [ ${#failed_names[@]} -gt 0 ]; then
		printf '\nfailed: %s\n' "${failed_names[*]}"
	fi
	echo "$passed passed, $failed failed"
	if [ "$failed" -ne 0 ]; then exit 1; fi
	exit 0
}

cleanup() {
	if [ -n "$TMP" ] && [ -d "$TMP" ]; then
		if [ -f "$TMP/data/postmaster.pid" ]; then
			su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$TMP/data' -m immediate -w stop" >/dev/null 2>&1 || true
		fi
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

record() {	# record NAME STATUS [NOTE]
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		echo "--- PASS: $1${3:+ ($3)}"
	else
		failed=$((failed + 1))
		failed_names+=("$1")
		echo "--- FAIL: $1${3:+ ($3)}"
	fi
}

if [ "$(id -u)" -ne 0 ]; then
	echo "run_all.sh: run me as root (CI does); I install packages and use the postgres OS user" >&2
	exit 2
fi

# 1. packages ---------------------------------------------------------------
missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	say "installing packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || { echo "apt-get update failed"; failed=1; failed_names+=(packages); finish; }
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null ||
		{ echo "apt-get install failed"; failed=1; failed_names+=(packages); finish; }
fi

# 2. build and install ------------------------------------------------------
say "build (PG_CFLAGS='-Wall -Wextra -Werror') and install"
export PG_CONFIG=$PGBIN/pg_config
if ! make -s PG_CONFIG="$PG_CONFIG" PG_CFLAGS='-Wall -Wextra -Werror' ||
   ! make -s PG_CONFIG="$PG_CONFIG" install; then
	record build 1
	finish
fi

# 3. a throwaway cluster ----------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=${IP_TEST_PORT:-5441}
while port_busy "$PORT" || [ -e "/tmp/.s.PGSQL.$PORT" ]; do PORT=$((PORT + 1)); done

TMP=$(mktemp -d /tmp/inventree_perms_test.XXXXXX)
chmod 755 "$TMP"
chown postgres: "$TMP"
say "cluster in $TMP on 127.0.0.1:$PORT"
if ! su postgres -s /bin/sh -c "cd / && $PGBIN/initdb -D '$TMP/data' -A trust -U postgres -E UTF8 --locale=C" >"$TMP/initdb.log" 2>&1; then
	cat "$TMP/initdb.log"
	record cluster 1
	finish
fi
cat >>"$TMP/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$TMP'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
max_prepared_transactions = 10
log_min_messages = warning
EOF
if ! su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$TMP/data' -l '$TMP/server.log' -w start" >/dev/null; then
	cat "$TMP/server.log"
	record cluster 1
	finish
fi
export PGHOST=$TMP PGPORT=$PORT PGUSER=postgres
unset PGDATABASE PGPASSWORD PGSERVICE PGOPTIONS
export PATH="$PGBIN:$PATH"

# 4a. make installcheck -----------------------------------------------------
say "make installcheck"
start=$SECONDS
rm -f regression.diffs test/isolation/output/regression.diffs output_iso/regression.diffs
if make -s PG_CONFIG="$PG_CONFIG" installcheck; then
	record installcheck 0 "$((SECONDS - start)) s"
else
	for f in regression.diffs test/isolation/output/regression.diffs output_iso/regression.diffs; do
		if [ -s "$f" ]; then
			echo "----- $f"
			cat "$f"
		fi
	done
	record installcheck 1
fi

# 4b. pgTAP -----------------------------------------------------------------
shopt -s nullglob
pgtap_files=(test/pgtap/*.sql)
if [ ${#pgtap_files[@]} -gt 0 ]; then
	say "pgTAP (pg_prove)"
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS inventree_perms_tap" \
		-c "CREATE DATABASE inventree_perms_tap" >/dev/null &&
	psql -X -q -d inventree_perms_tap -v ON_ERROR_STOP=1 \
		-c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION inventree_perms" >/dev/null
	setup=$?
	for f in "${pgtap_files[@]}"; do
		if [ "$setup" -eq 0 ] && pg_prove -d inventree_perms_tap "$f"; then
			record "$f" 0
		else
			record "$f" 1
		fi
	done
fi

# 4c. shell tests -----------------------------------------------------------
for f in test/shell/*.sh; do
	say "$f"
	limit=$SHELL_TIMEOUT
	# package.sh builds a package and runs installcheck a second time
	[ "$f" = test/shell/package.sh ] && limit=$((SHELL_TIMEOUT * 2))
	start=$SECONDS
	if env -u PGHOST -u PGPORT -u PGUSER timeout --kill-after=10 "$limit" bash "$f"; then
		record "$f" 0 "$((SECONDS - start)) s"
	else
		record "$f" 1 "$((SECONDS - start)) s"
	fi
done

finish
