#!/usr/bin/env bash
# bench.sh -- the inventree_perms benchmark: one command, prints a table.
#
#   bash test/bench/bench.sh                 (as root: starts its own server)
#   PGHOST=... PGPORT=... bash test/bench/bench.sh   (an existing server with
#                                             the extension installed)
#
# Runs test/bench/bench.sql in ONE psql session (one backend), single core
# (max_parallel_workers_per_gather = 0, JIT off), on a deterministic data set
# (10,000 users, 200 groups with 3 per user, 500 models, 50,000 group grants,
# 20,000 user grants; then 1,000 and 100,000 users for the scale rows).
# Measures ns per call of has_model_perm next to has_table_privilege and a
# plain SQL function, a 1,000,000-row count(*) under no RLS / a (SELECT true)
# policy / protect()'s policies, the cost at 1k vs 100k users, and the cache
# memory.  Targets are reported, never asserted.  About 2-4 minutes.
#
# Own server: a throwaway cluster on BENCH_PORT (default 5461) in a temp dir,
# removed on exit.  With PGHOST/PGPORT set, the benchmark uses database
# BENCH_DB (default inventree_perms_bench), which it drops and creates.
# Environment: BENCH_REPS (best of, default 5); BENCH_ONLY=scale runs only
# the scale rows (1k and 100k users) and the cache memory, about 1 minute.
set -euo pipefail

cd "$(dirname "$0")/../.."
PGBIN=${IP_PGBIN:-${PGBIN:-/usr/lib/postgresql/15/bin}}
BENCH_DB=${BENCH_DB:-inventree_perms_bench}
REPS=${BENCH_REPS:-5}
TMP=""

cleanup() {
	if [ -n "$TMP" ] && [ -d "$TMP" ]; then
		su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$TMP/data' -m immediate -w stop" >/dev/null 2>&1 || true
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

if [ -z "${PGHOST:-}" ] && [ -z "${PGPORT:-}" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "bench.sh: run me as root (to start a server as the postgres OS user), or set PGHOST/PGPORT" >&2
		exit 2
	fi
	PORT=${BENCH_PORT:-5461}
	TMP=$(mktemp -d /tmp/inventree_perms_bench.XXXXXX)
	chmod 755 "$TMP"
	chown postgres: "$TMP"
	su postgres -s /bin/sh -c "cd / && $PGBIN/initdb -D '$TMP/data' -A trust -U postgres -E UTF8 --locale=C" >"$TMP/initdb.log" 2>&1 ||
		{ cat "$TMP/initdb.log"; exit 1; }
	cat >>"$TMP/data/postgresql.conf" <<EOF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$TMP'
shared_buffers = 512MB
max_locks_per_transaction = 1024
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
autovacuum = off
jit = off
max_parallel_workers_per_gather = 0
EOF
	su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$TMP/data' -l '$TMP/server.log' -w start" >/dev/null ||
		{ cat "$TMP/server.log"; exit 1; }
	export PGHOST=$TMP PGPORT=$PORT PGUSER=postgres
fi
export PGUSER=${PGUSER:-postgres}
unset PGDATABASE PGOPTIONS

psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
	-c "DROP DATABASE IF EXISTS $BENCH_DB" -c "CREATE DATABASE $BENCH_DB" >/dev/null
psql -X -q -d "$BENCH_DB" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION inventree_perms" >/dev/null

# what a random memory access costs here: the floor of a check for a user
# whose cache entry is not in the CPU's caches (see the scale rows)
MEMLAT=""
if command -v gcc >/dev/null; then
	ML=$(mktemp /tmp/inventree_perms_memlat.XXXXXX)
	if gcc -O2 -o "$ML" test/bench/memlat.c 2>/dev/null; then
		MEMLAT=$("$ML" 1 4 16 64 | awk '{ printf "%s%s MB: %s ns", (NR > 1 ? ", " : ""), $1, $2 }')
	fi
	rm -f "$ML"
fi

echo "inventree_perms benchmark -- $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(psql -X -At -d postgres -c 'SHOW server_version')"
start=$(date +%s)
FULL=true
if [ "${BENCH_ONLY:-}" = scale ]; then FULL=false; fi
psql -X -d "$BENCH_DB" -v ON_ERROR_STOP=1 -v reps="$REPS" -v full="$FULL" -f test/bench/bench.sql
if [ -n "$MEMLAT" ]; then
	echo "one dependent random memory load (test/bench/memlat.c), by working set: $MEMLAT"
fi
echo "total $(( $(date +%s) - start )) s"
if [ -z "$TMP" ]; then
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB" >/dev/null
fi
