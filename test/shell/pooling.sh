#!/usr/bin/env bash
# pooling.sh -- the acting user behind a connection pooler, on ONE connection.
#
# A transaction-pooling pooler (pgbouncer pool_mode=transaction) hands the
# same server connection to request after request, without any reset between
# transactions.  The application role (a delegate) starts each transaction
# with set_acting_user(user) (is_local => true): it must end with the
# transaction, commit, rollback or error.  A session-level set must be undone
# by ROLLBACK and ended by DISCARD ALL (pgbouncer's server_reset_query in
# session mode) and RESET ALL.
#
# Also: an ordinary role passing the setting at connection time (PGOPTIONS
# -c inventree_perms.acting_user=...) gets nothing, with the library loaded
# on demand and with it in shared_preload_libraries.
#
# Self-contained: starts its own server (port from $IP_POOLING_PORT, default
# 5452, first free one), prints TAP, exits non-zero on failure.
set -u

PGBIN=${IP_PGBIN:-${PGBIN:-/usr/lib/postgresql/15/bin}}
PORT=${IP_POOLING_PORT:-5452}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null || [ -e "/tmp/.s.PGSQL.$1" ]; }
while port_busy "$PORT"; do PORT=$((PORT + 1)); done

TMP=$(mktemp -d /tmp/inventree_perms_pooling.XXXXXX)
chmod 755 "$TMP"
chown postgres: "$TMP"
cleanup() {
	if [ -f "$TMP/data/postmaster.pid" ]; then
		su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$TMP/data' -m immediate -w stop" >/dev/null 2>&1
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

n=0
failed=0
ok() {		# ok CONDITION-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
bail() { echo "Bail out! $*"; [ -f "$TMP/server.log" ] && tail -20 "$TMP/server.log"; exit 1; }

server_start() {	# server_start [extra postgresql.conf line]
	cat >"$TMP/data/postgresql.auto.conf" <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = '$TMP'
fsync = off
${1:-}
CONF
	chown postgres: "$TMP/data/postgresql.auto.conf"
	su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$TMP/data' -l '$TMP/server.log' -w start" >/dev/null ||
		bail "server did not start"
}
server_stop() {
	su postgres -s /bin/sh -c "cd / && $PGBIN/pg_ctl -D '$TMP/data' -m fast -w stop" >/dev/null
}

su postgres -s /bin/sh -c "cd / && $PGBIN/initdb -D '$TMP/data' -A trust -U postgres -E UTF8 --locale=C" \
	>"$TMP/initdb.log" 2>&1 || bail "initdb failed"
server_start

export PGHOST=$TMP PGPORT=$PORT
unset PGDATABASE PGUSER PGOPTIONS PGPASSWORD PGSERVICE
PSQL="$PGBIN/psql -X -q -v ON_ERROR_STOP=1"

$PSQL -U postgres -d postgres >"$TMP/setup.log" 2>&1 <<'SQL' || { cat "$TMP/setup.log"; bail "setup failed"; }
CREATE EXTENSION inventree_perms;
CREATE ROLE enf_app LOGIN;
CREATE ROLE enf_mallory LOGIN;
CREATE TABLE public.part_part (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO public.part_part VALUES (1, 'M3x10 Screw'), (2, 'Arduino Uno R3'), (3, '10k Resistor 0603');
GRANT SELECT, INSERT, UPDATE, DELETE ON public.part_part TO enf_app, enf_mallory;
SELECT inventree_perms.protect('public.part_part');
SELECT inventree_perms.create_user('alice');
SELECT inventree_perms.create_user('bob');
SELECT inventree_perms.create_user('enf_mallory');
SELECT inventree_perms.create_user('dave', is_superuser => true);
SELECT inventree_perms.grant_user_perm('alice', 'part_part', 'view');
SELECT inventree_perms.add_delegate('enf_app');
SQL

# One psql session, one connection, as the application role.  Every check
# prints "label|acting user|rows of part_part it sees|backend pid".
session() {
	$PGBIN/psql -X -q -A -t -U enf_app -d postgres 2>"$TMP/session.err" <<'SQL'
\set ON_ERROR_STOP 0
\set check 'SELECT :''label'' || ''|'' || inventree_perms.acting_user() || ''|'' || (SELECT count(*) FROM public.part_part) || ''|'' || pg_backend_pid();'
\set label start
:check
-- tx1: acts as alice, is_local
BEGIN;
SELECT inventree_perms.set_acting_user('alice') \g /dev/null
\set label tx1
:check
COMMIT;
-- tx2: no set: the role's own permissions (none)
BEGIN;
\set label tx2
:check
COMMIT;
-- tx3: set, then ROLLBACK
BEGIN;
SELECT inventree_perms.set_acting_user('alice') \g /dev/null
ROLLBACK;
\set label after_rollback
:check
-- tx4: set, then an error, then ROLLBACK
BEGIN;
SELECT inventree_perms.set_acting_user('alice') \g /dev/null
SELECT 1 / 0;
ROLLBACK;
\set label after_error
:check
-- tx5: a session-level set inside a transaction that rolls back
BEGIN;
SELECT inventree_perms.set_acting_user('alice', false) \g /dev/null
ROLLBACK;
\set label session_set_rolled_back
:check
-- a session-level set lasts across transactions ...
SELECT inventree_perms.set_acting_user('alice', false) \g /dev/null
BEGIN;
\set label session_set_tx
:check
COMMIT;
\set label session_set_next
:check
-- ... a local set inside it ends with its transaction ...
BEGIN;
SELECT inventree_perms.set_acting_user('bob') \g /dev/null
\set label local_over_session
:check
COMMIT;
\set label session_again
:check
-- ... and DISCARD ALL ends it
DISCARD ALL;
\set label after_discard_all
:check
-- RESET ALL too
SELECT inventree_perms.set_acting_user('alice', false) \g /dev/null
RESET ALL;
\set label after_reset_all
:check
-- autocommit: a local set in a single statement is over after it
SELECT inventree_perms.set_acting_user('alice') \g /dev/null
\set label after_autocommit_local
:check
SQL
}

expect_session() {	# expect_session OUTPUT-FILE WHAT
	local out=$1 what=$2 line
	while IFS='|' read -r label acting rows; do
		line=$(grep "^$label|" "$out" | head -1)
		[ "${line%|*}" = "$label|$acting|$rows" ]
		ok $? "$what: $label: acting user $acting, sees $rows row(s)"
		[ "${line%|*}" = "$label|$acting|$rows" ] || echo "#   got: ${line:-nothing}"
	done <<'EXPECTED'
start|enf_app|0
tx1|alice|3
tx2|enf_app|0
after_rollback|enf_app|0
after_error|enf_app|0
session_set_rolled_back|enf_app|0
session_set_tx|alice|3
session_set_next|alice|3
local_over_session|bob|0
session_again|alice|3
after_discard_all|enf_app|0
after_reset_all|enf_app|0
after_autocommit_local|enf_app|0
EXPECTED
	[ "$(cut -d'|' -f4 "$out" | sort -u | wc -l)" -eq 1 ] && [ "$(wc -l <"$out")" -eq 13 ]
	ok $? "$what: all 13 checks ran on one connection (one backend pid)"
}

# spoof at connection time: PGOPTIONS as an ordinary role
spoof() {	# spoof WHAT
	local out
	out=$(PGOPTIONS='-c inventree_perms.acting_user=dave' $PGBIN/psql -X -q -A -t -U enf_mallory -d postgres \
		-c "SELECT inventree_perms.acting_user() || '|' || (SELECT count(*) FROM public.part_part)" 2>"$TMP/spoof.err")
	if [ -z "$out" ]; then
		grep -q 'permission denied to set parameter "inventree_perms.acting_user"' "$TMP/spoof.err"
		ok $? "$1: PGOPTIONS -c inventree_perms.acting_user=dave as an ordinary role: connection refused"
	else
		[ "$out" = "enf_mallory|0" ]
		ok $? "$1: PGOPTIONS -c inventree_perms.acting_user=dave as an ordinary role: ignored (got $out)"
	fi
}

echo "1..30"

# 1. the library loaded on demand (the default)
session >"$TMP/session1.out"
expect_session "$TMP/session1.out" "loaded on demand"
spoof "loaded on demand"

# 2. the library in shared_preload_libraries
server_stop
server_start "shared_preload_libraries = 'inventree_perms'"
session >"$TMP/session2.out"
expect_session "$TMP/session2.out" "preloaded"
spoof "preloaded"

if [ "$failed" -ne 0 ]; then
	echo "# $failed test(s) failed"
	echo "# session stderr:"; sed 's/^/#   /' "$TMP/session.err"
	exit 1
fi
exit 0
