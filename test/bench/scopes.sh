#!/usr/bin/env bash
# scopes.sh -- the row-scope benchmark: one command, prints a table.
#
#   bash test/bench/scopes.sh        (as root: starts its own server)
#
# test/bench/scopes_data.sql builds a 1,000,000-row table scoped by a
# 10,000-node tree of depth 8 and owned (every 20th node and every 10th row
# have an owner), users with model-wide view, with about 20 scoped grants
# over a third of the tree or over half a per cent of the rows, and with a
# scope of a few per cent of the rows.  test/bench/scopes.sql prints
# count(*) against the USING ((SELECT true)) floor, with the share of the
# rows each sees and the scan its plan uses, and has_row_perm per call
# against has_table_privilege (each minus its loop's own cost).  Then this
# script measures, in new sessions, the first scoped check on a
# 100,000-node tree, and a 10,000-node subtree moved in one session as seen
# by the next statement of another.  Targets are reported, never asserted.
#
# Own server: a throwaway cluster on BENCH_PORT (default 5803) in a temp dir,
# removed on exit.  BENCH_REPS: best of (default 5).
set -euo pipefail

cd "$(dirname "$0")/../.."
PGBIN=${IP_PGBIN:-${PGBIN:-/usr/lib/postgresql/15/bin}}
REPS=${BENCH_REPS:-5}
PORT=${BENCH_PORT:-5803}
TMP=$(mktemp -d /tmp/inventree_perms_bench.XXXXXX)
cleanup() {
	su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$TMP/data' -m immediate -w stop" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
if [ "$(id -u)" -ne 0 ]; then
	echo "scopes.sh: run me as root" >&2
	exit 2
fi
chmod 755 "$TMP"
chown postgres: "$TMP"
su postgres -s /bin/sh -c "cd / && $PGBIN/initdb -D '$TMP/data' -A trust -U postgres -E UTF8 --locale=C" >"$TMP/initdb.log" 2>&1 ||
	{ cat "$TMP/initdb.log"; exit 1; }
cat >>"$TMP/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$TMP'
shared_buffers = 512MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
autovacuum = off
jit = off
max_parallel_workers_per_gather = 0
CONF
su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$TMP/data' -l '$TMP/log' -w start" >/dev/null
PSQL="$PGBIN/psql -X -h $TMP -p $PORT -U postgres -d postgres"

echo "inventree_perms row scopes benchmark (best of $REPS; $(nproc) cores, single-core queries)"
$PSQL -v ON_ERROR_STOP=1 -c "ALTER DATABASE postgres SET bs.reps = '$REPS'" >/dev/null
$PSQL -v ON_ERROR_STOP=1 -At -o /dev/null -f test/bench/scopes_data.sql
# A restart between loading and measuring: a table read just after it was
# loaded measured up to 4-6 % slower than its identical copy, with no policy
# at all, until the server restarted (where each table's pages lie in shared
# memory).  After it, the two tables take the same time (the table's second
# line says so in each run), so the floor is a fair anchor.
su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$TMP/data' -l '$TMP/log' -w restart" >/dev/null
$PSQL -v ON_ERROR_STOP=1 -At -f test/bench/scopes.sql

# a new session's first scoped check on the 100,000-node tree (the tree is
# read into the session's cache), against the second one
best_first=999999
best_second=999999
for _ in $(seq "$REPS"); do
	out=$($PSQL -At -c '\timing on' -c "SELECT inventree_perms.has_row_perm('bs_scoped', 'bigitem', 'view', 99999)" \
		-c "SELECT inventree_perms.has_row_perm('bs_scoped', 'bigitem', 'view', 99998)" | grep '^Time' | sed 's/Time: \([0-9.]*\) ms.*/\1/')
	first=$(echo "$out" | sed -n 1p); second=$(echo "$out" | sed -n 2p)
	best_first=$(echo "$first $best_first" | awk '{print ($1 < $2) ? $1 : $2}')
	best_second=$(echo "$second $best_second" | awk '{print ($1 < $2) ? $1 : $2}')
done
printf '%-72s%10s %-3s%s\n' "first scoped check, new session, 100,000-node tree" "$best_first" ms "<= 50"
printf '%-72s%10s %-3s%s\n' "  the next check in that session" "$best_second" ms ""

# a 10,000-node subtree moved in one session, seen by the next statement of
# another (which had the tree cached): the answer changes, and what it costs
mkfifo "$TMP/in"
$PSQL -At <"$TMP/in" >"$TMP/reader.out" 2>&1 &
reader=$!
exec 3>"$TMP/in"
echo "SELECT 'before', inventree_perms.has_row_perm('bs_scoped', 'bigitem', 'view', 49208);" >&3
sleep 1
# node 8's subtree (about 10,000 nodes at depths 2..10) goes below node 2,
# out of the scope of node 5; then it moves below node 5
$PSQL -At -c "SELECT count(*) FROM (WITH RECURSIVE s(id) AS (SELECT 8 UNION ALL SELECT b.id FROM bs.big b JOIN s ON b.parent_id = s.id) SELECT 1 FROM s) x" >"$TMP/subtree"
$PSQL -At -c "UPDATE bs.big SET parent_id = 5 WHERE id = 8" >/dev/null
echo '\timing on' >&3
echo "SELECT 'after', inventree_perms.has_row_perm('bs_scoped', 'bigitem', 'view', 49208);" >&3
echo '\q' >&3
exec 3>&-
wait $reader
before=$(grep '^before' "$TMP/reader.out" | cut -d'|' -f2)
after=$(grep '^after' "$TMP/reader.out" | cut -d'|' -f2)
ms=$(grep '^Time' "$TMP/reader.out" | tail -1 | sed 's/Time: \([0-9.]*\) ms.*/\1/')
printf '%-72s%10s %-3s%s\n' "subtree of $(cat "$TMP/subtree") nodes moved: other session before/after" "$before/$after" "" "f/t"
printf '%-72s%10s %-3s%s\n' "  its next statement (the tree read again)" "$ms" ms ""
