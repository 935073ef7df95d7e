#!/usr/bin/env bash
# sanitize.sh -- run the tests with the server under valgrind (memcheck) and
# report every memory error whose stack passes through the extension.
#
#   bash test/sanitize.sh        (as root, Debian 12; installs valgrind if missing)
#
# Why valgrind and not AddressSanitizer: Debian's postgres binary cannot start
# with gcc's libasan preloaded (LD_PRELOAD): libgpg-error's constructor calls
# bindtextdomain(), whose malloc() triggers ASan's lazy initialisation while
# glibc holds _nl_state_lock; ASan's dlsym() then needs that lock and the
# process deadlocks before main() (even "postgres -V" hangs).
#
# What it does: builds and installs the extension (with -g -O0, so stacks are
# exact), starts a throwaway cluster whose postmaster runs under valgrind
# (--trace-children, one log per process), runs `make installcheck` and
# pg_prove over test/pgtap/*.sql, stops the server, and scans the logs.  An
# error report that mentions inventree_perms is a finding of ours; other
# reports (PostgreSQL itself, not built for valgrind) are counted and shown
# in short.  Exit 0 only if the tests pass and no report involves the
# extension.  Takes a few minutes; not part of run_all.sh.
#
# Environment: IP_VG_ONLY="test/pgtap/a.sql ..." runs only those pgTAP files
# (no installcheck); IP_KEEP_VG_DIR=1 keeps the valgrind logs; IP_VG_ALL=1
# also runs freshness_overflow (hours); IP_VG_PORT (default 5442).
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PGVER=15
PGBIN=${IP_PGBIN:-/usr/lib/postgresql/$PGVER/bin}
export PG_CONFIG=$PGBIN/pg_config

if [ "$(id -u)" -ne 0 ]; then
	echo "sanitize.sh: run me as root" >&2
	exit 2
fi
if ! command -v valgrind >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; } ||
		{ echo "sanitize.sh: cannot install valgrind" >&2; exit 2; }
fi

T=$(mktemp -d /tmp/inventree_perms_vg.XXXXXX)
chmod 755 "$T"
chown postgres: "$T"
stop_server() {
	if [ -f "$T/data/postmaster.pid" ]; then
		su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$T/data' -m fast -t 120 -w stop" >/dev/null 2>&1 ||
			su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$T/data' -m immediate -w stop" >/dev/null 2>&1 || true
	fi
}
cleanup() {
	stop_server
	if [ -z "${IP_KEEP_VG_DIR:-}" ]; then rm -rf "$T"; else echo "kept $T"; fi
	# leave the normal (optimised) build of the tree installed
	make -s -C "$ROOT" PG_CFLAGS='-Wall -Wextra -Werror' >/dev/null 2>&1 && make -s -C "$ROOT" install >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== build a copy of the tree with -g -O0 and install it"
mkdir -p "$T/src"
tar -C "$ROOT" --exclude=.git --exclude='*.o' --exclude='*.so' --exclude='*.bc' --exclude=results \
	--exclude=test/isolation/output -cf - . | tar -C "$T/src" -xf -
cd "$T/src"
make -s clean >/dev/null 2>&1
if ! make -s PG_CFLAGS='-Wall -Wextra -Werror -g -O0' || ! make -s install; then
	echo "sanitize: build FAILED"
	exit 1
fi

echo "== a cluster under valgrind"
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=${IP_VG_PORT:-5442}
while port_busy "$PORT" || [ -e "/tmp/.s.PGSQL.$PORT" ]; do PORT=$((PORT + 1)); done
su postgres -s /bin/sh -c "cd / && $PGBIN/initdb -D '$T/data' -A trust -U postgres -E UTF8 --locale=C" >"$T/initdb.log" 2>&1 ||
	{ cat "$T/initdb.log"; exit 1; }
cat >>"$T/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$T'
fsync = off
max_prepared_transactions = 10
max_parallel_workers_per_gather = 0
EOF
mkdir -p "$T/vg" && chown postgres: "$T/vg"
VG="valgrind --quiet --tool=memcheck --trace-children=yes --error-limit=no --num-callers=40 \
--read-var-info=no --leak-check=no --log-file=$T/vg/%p.log"
su postgres -s /bin/sh -c "cd / && $VG $PGBIN/postgres -D '$T/data' >'$T/server.log' 2>&1 &"
export PGHOST=$T PGPORT=$PORT PGUSER=postgres
unset PGDATABASE
export PATH="$PGBIN:$PATH"
for _ in $(seq 1 120); do
	pg_isready -q && break
	sleep 1
done
if ! pg_isready -q; then
	echo "sanitize: the server did not start under valgrind"
	cat "$T/server.log"
	exit 1
fi

status=0
if [ -n "${IP_VG_ONLY:-}" ]; then
	echo "== IP_VG_ONLY: installcheck skipped"
	inst=skipped
else
echo "== make installcheck (under valgrind)"
rm -f regression.diffs
# freshness_overflow commits 5,000 transactions per permutation: hours under
# valgrind.  It runs only with IP_VG_ALL=1.
iso=$(ls test/isolation/specs/*.spec 2>/dev/null | sed 's#.*/##; s#\.spec$##' | paste -sd' ')
[ -n "${IP_VG_ALL:-}" ] || iso=$(echo " $iso " | sed 's/ freshness_overflow / /')
if make -s installcheck ISOLATION="$iso"; then
	inst=pass
else
	inst=FAIL; status=1
	for f in regression.diffs test/isolation/output/regression.diffs; do
		[ -s "$f" ] && { echo "----- $f"; cat "$f"; }
	done
fi
fi

echo "== pg_prove (under valgrind)"
psql -X -q -d postgres -c "CREATE DATABASE inventree_perms_tap" >/dev/null
psql -X -q -d inventree_perms_tap -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION inventree_perms" >/dev/null
shopt -s nullglob
# shellcheck disable=SC2086
if pg_prove -d inventree_perms_tap ${IP_VG_ONLY:-test/pgtap/*.sql}; then tap=pass; else tap=FAIL; status=1; fi

stop_server

echo "== valgrind reports"
# Frames of the extension: its .so, or (with -g) its source files.
srcs=$(cd src && ls *.c | sed 's/\.c$//' | paste -sd'|')
OURS="\\(($srcs)\\.c:[0-9]+\\)|inventree_perms\\.so"
# A report runs from a "==pid== Kind" line to a blank "==pid== " line.  It is
# ours if one of the first 5 frames of any of its stacks is in the extension,
# or if it is an invalid read/write/free with the extension anywhere on the
# stack (PostgreSQL is not built for valgrind: its own reports, also those
# that merely pass through our gate into PL/pgSQL, are counted, not failed) --
# except glibc's dynamic loader reading past a string while dlopen() loads
# llvmjit (top frames in dl-load.c): a known false positive, which only
# passes through our ExecutorStart hook on its way to the JIT.
SCAN='
/^==[0-9]+== [A-Z]/ && !inrep { inrep = 1; buf = $0; hit = 0; near = 0; loader = 0; idx = 0
	serious = ($0 ~ /Invalid (read|write|free)|Mismatched free/); next }
inrep && /^==[0-9]+== $/ { if (hit && (near || !loader)) { print buf; print "" } inrep = 0; next }
inrep { buf = buf "\n" $0
	if ($0 ~ /^==[0-9]+==    (at|by) /) idx++; else idx = 0
	if (idx >= 1 && idx <= 3 && $0 ~ /dl-load\.c/) loader = 1
	if ($0 ~ ENVIRON["OURS"] && idx <= 5) near = 1
	if ($0 ~ ENVIRON["OURS"] && (idx <= 5 || serious)) hit = 1 }'
ours=0
theirs=0
for f in "$T"/vg/*.log; do
	[ -s "$f" ] || continue
	rep=$(OURS="$OURS" awk "$SCAN" "$f")
	if [ -n "$rep" ]; then
		ours=$((ours + $(grep -cE '^==[0-9]+== [A-Z]' <<<"$rep")))
		echo "----- $f (in inventree_perms)"
		echo "$rep"
	fi
	theirs=$((theirs + $(grep -cE '^==[0-9]+== [A-Z]' "$f")))
done
echo "reports by kind (all processes):"
cat "$T"/vg/*.log 2>/dev/null | grep -E '^==[0-9]+== [A-Z]' | sed -e 's/^==[0-9]*== //' -e 's/ *(0x.*//' |
	sort | uniq -c | sort -rn | head -10
if grep -nE 'terminated by signal|was terminated by' "$T/server.log"; then
	echo "sanitize: a server process crashed (see above)"
	status=1
fi
echo
echo "installcheck: $inst, pgTAP: $tap"
echo "valgrind: $theirs report(s) in all (PostgreSQL itself), $ours in inventree_perms"
if [ "$ours" -eq 0 ]; then
	echo "sanitizer: no memory error in the extension"
else
	echo "sanitizer: ERRORS FOUND in the extension (see above)"
	status=1
fi
exit $status
