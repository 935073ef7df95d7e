#!/usr/bin/env bash
# pgbouncer.sh -- the acting user behind a real PgBouncer (Debian's pgbouncer).
#
# One PostgreSQL cluster and one pgbouncer of this test's own (as the postgres
# OS user, loopback only, config, log and sockets in the temp dir).  The
# application role `app` is a delegate; five clients act for five users
# (u1 .. u5) through a pool of TWO server connections.  Each user holds view
# on its own model m_<i> only, and sees only its own rows of the protected
# table `items` (u5 holds no view on items: it sees none of them).
#
# 1. Transaction pooling (pool_mode = transaction, what the README advises):
#    each client runs many transactions, each
#        BEGIN; acting_user() must be app (nothing left by another client);
#        set_acting_user('<its user>')  -- is_local => true, the default;
#        acting_user(), has_model_perm() of every m_<j>, the rows of items
#        (and the server connection's backend pid); COMMIT;
#    and no transaction ever sees another client's user, permissions or rows.
#    The clients share the two server connections (seen from the pids).
# 2. Session pooling with server_reset_query = DISCARD ALL: each client runs
#    many short sessions, each set_acting_user('<its user>', false) (for the
#    session) then several transactions of the same checks; every session
#    starts as app, whichever client had its server connection before.
# 3. Why those two settings (one server connection, so the order is fixed):
#    a session-level set_acting_user under transaction pooling, or session
#    pooling with an empty server_reset_query, hands the acting user to the
#    next client.  These controls show that the checks above can fail.
#
# Installs pgbouncer when it is missing.  Prints TAP.  Run as root after
# `make install`.  Ports: PostgreSQL 5770 (or the next free up to 5774),
# pgbouncer 5775 (or the next free up to 5779).
source "$(dirname "$0")/lib/common.bash"

CLIENTS=5
TX=60			# transactions per client (transaction pooling)
SESSIONS=12		# sessions per client (session pooling), 3 transactions each

if ! command -v pgbouncer >/dev/null 2>&1 && ! [ -x /usr/sbin/pgbouncer ]; then
	diag "installing pgbouncer"
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends pgbouncer; } >"$T/apt.log" 2>&1 ||
		{ tail -20 "$T/apt.log" | sed 's/^/#   /'; bail "apt-get install pgbouncer failed"; }
fi
PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
diag "$("$PGBOUNCER" --version | head -1)"

P=$(free_port 5770 5774)
BP=$(free_port 5775 5779)
new_cluster pg "$P"

q "$P" postgres - >/dev/null <<'SQL' || bail "setup failed"
CREATE DATABASE app;
\c app
CREATE EXTENSION inventree_perms;
CREATE ROLE app LOGIN;
SELECT inventree_perms.add_delegate('app');
CREATE TABLE public.items (id serial PRIMARY KEY, owner text NOT NULL, payload text);
-- the owner's own permissive policy: each user's rows; protect() adds the
-- restrictive view check on top
ALTER TABLE public.items ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON public.items FOR SELECT USING (owner = inventree_perms.acting_user());
SELECT inventree_perms.protect('public.items');
GRANT SELECT ON public.items TO app;
SELECT inventree_perms.create_user('u' || i),
	   inventree_perms.register_model('m_' || i),
	   inventree_perms.grant_user_perm('u' || i, 'm_' || i, 'view')
FROM generate_series(1, 5) i;
SELECT inventree_perms.grant_user_perm('u' || i, 'items', 'view') FROM generate_series(1, 4) i;
-- u<i> owns i rows; nobody's rows are seen by no one
INSERT INTO public.items (owner, payload)
SELECT 'u' || i, 'row ' || j || ' of u' || i FROM generate_series(1, 5) i, generate_series(1, i) j;
INSERT INTO public.items (owner, payload) SELECT 'nobody', 'x' FROM generate_series(1, 10);
SQL

# pgbouncer -----------------------------------------------------------------
BOUNCER_PID=""
bouncer_stop() {
	if [ -n "$BOUNCER_PID" ] && kill -0 "$BOUNCER_PID" 2>/dev/null; then
		kill -INT "$BOUNCER_PID" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$BOUNCER_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$BOUNCER_PID" 2>/dev/null
	fi
	BOUNCER_PID=""
}
trap 'bouncer_stop; cleanup' EXIT

printf '"app" ""\n"postgres" ""\n' >"$T/userlist.txt"
# bouncer_start MODE RESET_QUERY: a pgbouncer with a pool of two server
# connections to database app (alias "app"), and one of a single connection
# (alias "app1", for the ordering controls)
bouncer_start() {
	local mode=$1 reset=$2 i
	cat >"$T/pgbouncer.ini" <<EOF
[databases]
app = host=$T port=$P dbname=app pool_size=2
app1 = host=$T port=$P dbname=app pool_size=1

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BP
unix_socket_dir =
auth_type = trust
auth_file = $T/userlist.txt
admin_users = postgres
pool_mode = $mode
server_reset_query = $reset
max_client_conn = 50
default_pool_size = 2
max_db_connections = 2
logfile = $T/pgbouncer.log
pidfile = $T/pgbouncer.pid
EOF
	chown postgres: "$T/pgbouncer.ini" "$T/userlist.txt"
	rm -f "$T/pgbouncer.pid"
	as_pg "$PGBOUNCER -d '$T/pgbouncer.ini'" >>"$T/pgbouncer.out" 2>&1 ||
		{ sed 's/^/#   /' "$T/pgbouncer.out" "$T/pgbouncer.log" | tail -20; bail "pgbouncer did not start"; }
	for i in $(seq 1 50); do
		[ -s "$T/pgbouncer.pid" ] && port_busy "$BP" && break
		sleep 0.1
	done
	BOUNCER_PID=$(cat "$T/pgbouncer.pid" 2>/dev/null)
	[ -n "$BOUNCER_PID" ] || bail "pgbouncer wrote no pid file"
}
# through the bouncer: bq DB SQL (as app, unaligned, SQL from stdin when -)
bq() {
	local db=$1 sql=$2
	if [ "$sql" = - ]; then
		psql -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$BP" -U app -d "$db"
	else
		printf '%s\n' "$sql" | psql -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$BP" -U app -d "$db"
	fi
}

# What one transaction sees, on one line:
#   in|acting user|models m_<j> it may view|rows of items|owners of those rows|backend pid
CHECK="SELECT 'in|' || inventree_perms.acting_user()
	|| '|' || coalesce((SELECT string_agg(m, ',' ORDER BY m) FROM unnest(ARRAY['m_1','m_2','m_3','m_4','m_5']) m
						WHERE inventree_perms.has_model_perm(m, 'view')), '')
	|| '|' || (SELECT count(*) FROM public.items)
	|| '|' || coalesce((SELECT string_agg(DISTINCT owner, ',') FROM public.items), '')
	|| '|' || pg_backend_pid();"
PRE="SELECT 'pre|' || inventree_perms.acting_user() || '|' || pg_backend_pid();"
expected_in() {	# expected_in I: the line prefix client I must see (without the pid)
	local i=$1
	if [ "$i" -lt 5 ]; then echo "in|u$i|m_$i|$i|u$i"; else echo "in|u$i|m_$i|0|"; fi
}
# judge FILE I N WHAT: N "pre" lines as app and N "in" lines as client I
judge() {
	local f=$1 i=$2 n=$3 what=$4 want bad_pre bad_in pre_n in_n
	want=$(expected_in "$i")
	pre_n=$(grep -c '^pre|' "$f")
	in_n=$(grep -c '^in|' "$f")
	bad_pre=$(grep '^pre|' "$f" | grep -vc '^pre|app|[0-9]*$')
	bad_in=$(grep '^in|' "$f" | grep -vc "^${want}|[0-9]*\$")
	if [ "$pre_n" -eq "$n" ] && [ "$in_n" -eq "$n" ] && [ "$bad_pre" -eq 0 ] && [ "$bad_in" -eq 0 ]; then
		ok 0 "$what: client u$i: $n transactions, each began as app and saw only u$i ($want)"
	else
		ok 1 "$what: client u$i: $n transactions, each began as app and saw only u$i ($want)"
		diag "pre lines $pre_n (not as app: $bad_pre), in lines $in_n (not as u$i: $bad_in), of $n"
		grep -v "^pre|app|\|^${want}|" "$f" | head -5 | sed 's/^/#   /'
	fi
}

# 1. transaction pooling ----------------------------------------------------
bouncer_start transaction 'DISCARD ALL'
tx_client() {	# tx_client I: TX transactions acting for u<I>, one psql connection
	local i=$1 k
	for k in $(seq 1 "$TX"); do
		echo "BEGIN;"
		echo "$PRE"
		echo "SELECT inventree_perms.set_acting_user('u$i') \\g /dev/null"
		echo "SELECT pg_sleep(random() * 0.004) \\g /dev/null"
		echo "$CHECK"
		echo "COMMIT;"
	done | bq app - >"$T/tx$i.out" 2>"$T/tx$i.err"
}
start=$SECONDS
for i in $(seq 1 $CLIENTS); do tx_client "$i" & done
wait
diag "transaction pooling: $CLIENTS clients x $TX transactions in $((SECONDS - start)) s"
for i in $(seq 1 $CLIENTS); do
	[ -s "$T/tx$i.err" ] && sed 's/^/#   stderr: /' "$T/tx$i.err" | head -5
	judge "$T/tx$i.out" "$i" "$TX" "transaction pooling"
done
pids=$(cat "$T"/tx*.out | awk -F'|' '{print $NF}' | sort -u)
npids=$(printf '%s\n' "$pids" | grep -c .)
ok "$([ "$npids" -ge 1 ] && [ "$npids" -le 2 ]; echo $?)" \
	"transaction pooling: all $((CLIENTS * TX)) transactions ran on at most 2 server connections ($npids: $(echo $pids))"
shared=0
for pid in $pids; do
	c=$(grep -l "|$pid\$" "$T"/tx*.out | wc -l)
	[ "$c" -ge 2 ] && shared=$((shared + 1))
done
ok "$([ "$shared" -ge 1 ]; echo $?)" \
	"transaction pooling: the clients shared server connections ($shared of them served several clients)"
n=$(q "$P" postgres "SELECT count(*) FROM pg_stat_activity WHERE usename = 'app'")
ok "$([ "$n" -le 2 ]; echo $?)" "transaction pooling: the server holds at most 2 connections of app ($n)"

# the control: a session-level set under transaction pooling leaks
got=$(printf 'BEGIN;\nSELECT inventree_perms.set_acting_user(%s, false) \\g /dev/null\nCOMMIT;\n' "'u1'" | bq app1 - 2>&1;
	  bq app1 "$PRE" 2>&1)
is "${got%|*}" "pre|u1" \
	"control: set_acting_user('u1', false) under transaction pooling: the next client of that connection acts as u1 (so is_local => true it must be)"
bq app1 "SELECT inventree_perms.reset_acting_user()" >/dev/null 2>&1
bouncer_stop

# 2. session pooling with DISCARD ALL -------------------------------------
bouncer_start session 'DISCARD ALL'
session_client() {	# session_client I: SESSIONS sessions acting for u<I>
	local i=$1 s
	: >"$T/se$i.out"
	for s in $(seq 1 "$SESSIONS"); do
		{
			echo "$PRE"
			echo "SELECT inventree_perms.set_acting_user('u$i', false) \\g /dev/null"
			for _ in 1 2 3; do
				echo "BEGIN;"
				echo "SELECT pg_sleep(random() * 0.004) \\g /dev/null"
				echo "$CHECK"
				echo "COMMIT;"
			done
		} | bq app - >>"$T/se$i.out" 2>>"$T/se$i.err"
	done
}
start=$SECONDS
for i in $(seq 1 $CLIENTS); do session_client "$i" & done
wait
diag "session pooling: $CLIENTS clients x $SESSIONS sessions in $((SECONDS - start)) s"
for i in $(seq 1 $CLIENTS); do
	[ -s "$T/se$i.err" ] && sed 's/^/#   stderr: /' "$T/se$i.err" | head -5
	# one "pre" per session, three "in" per session
	want=$(expected_in "$i")
	pre_n=$(grep -c '^pre|app|[0-9]*$' "$T/se$i.out")
	in_n=$(grep -c "^${want}|[0-9]*\$" "$T/se$i.out")
	all_n=$(wc -l <"$T/se$i.out")
	ok "$([ "$pre_n" -eq "$SESSIONS" ] && [ "$in_n" -eq $((3 * SESSIONS)) ] && [ "$all_n" -eq $((4 * SESSIONS)) ]; echo $?)" \
		"session pooling: client u$i: $SESSIONS sessions, each began as app, then $((3 * SESSIONS)) transactions saw only u$i ($want)"
	[ "$pre_n" -eq "$SESSIONS" ] && [ "$in_n" -eq $((3 * SESSIONS)) ] ||
		grep -v "^pre|app|\|^${want}|" "$T/se$i.out" | head -5 | sed 's/^/#   /'
done
pids=$(cat "$T"/se*.out | awk -F'|' '{print $NF}' | sort -u)
npids=$(printf '%s\n' "$pids" | grep -c .)
shared=0
for pid in $pids; do
	c=$(grep -l "|$pid\$" "$T"/se*.out | wc -l)
	[ "$c" -ge 2 ] && shared=$((shared + 1))
done
ok "$([ "$npids" -le 2 ] && [ "$shared" -ge 1 ]; echo $?)" \
	"session pooling: $((CLIENTS * SESSIONS)) sessions on at most 2 server connections ($npids), handed from client to client ($shared)"
bouncer_stop

# 3. the control: session pooling without a reset query leaks ---------------
bouncer_start session ''
bq app1 "SELECT inventree_perms.set_acting_user('u2', false)" >/dev/null 2>&1
got=$(bq app1 "$PRE" 2>&1)
is "${got%|*}" "pre|u2" \
	"control: session pooling with an empty server_reset_query: the next client acts as u2 (so DISCARD ALL it must be)"
bouncer_stop

grep -E 'FATAL|PANIC|terminated by signal' "$T/pg.log" | head -5 | sed 's/^/#   /'
ok "$([ -z "$(log_crashes pg)" ]; echo $?)" "the server log shows no crash"

tap_done
