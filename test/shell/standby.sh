#!/usr/bin/env bash
# standby.sh -- a hot standby answers from the replayed state, in sessions
# that were already open with a warm cache; it refuses to manage.
#
# A primary and a streaming standby (pg_basebackup -R, hot_standby = on) on
# loopback.  Two sessions stay open on the standby for the whole test (psql
# fed through a fifo: the same backend answers every statement, no
# reconnect): one as the PostgreSQL superuser asking has_model_perm /
# has_role_perm, one as the delegate role ip_app acting for alice and
# counting a protected table (RLS) with the 2-argument check.  Both warm
# their caches first.  Then on the primary: a user grant, its revoke, a group
# membership carrying a role flag, a group grant, deactivation, a direct DML
# UPDATE of the users table.  After each, the test waits until the standby has
# replayed the primary's current WAL position
# (pg_last_wal_replay_lsn() >= pg_current_wal_lsn() of the primary) and the
# SAME sessions' next statement must answer according to the change.
# Finally every management function called on the standby fails with
# SQLSTATE 25006 (read_only_sql_transaction).
#
# Run as root after `make install`.  Ports: 5474, 5475 (or the next free up to 5479).
source "$(dirname "$0")/lib/common.bash"

P=$(free_port 5474 5479)
new_cluster primary "$P" "wal_level = replica" "max_wal_senders = 5" "hot_standby = on"
S=$(free_port $((P + 1)) 5479)
diag "primary 127.0.0.1:$P, standby 127.0.0.1:$S, in $T"

q "$P" postgres - >/dev/null <<'SQL' || bail "primary setup"
CREATE ROLE ip_app LOGIN;
CREATE EXTENSION inventree_perms;
CREATE TABLE public.items (id int PRIMARY KEY);
INSERT INTO public.items SELECT generate_series(1, 40);
GRANT SELECT ON public.items TO ip_app;
SELECT inventree_perms.protect('public.items');
SELECT inventree_perms.register_model('widget');
SELECT inventree_perms.create_user('alice');
SELECT inventree_perms.create_user('bob');
SELECT inventree_perms.create_group('stock keepers');
SELECT inventree_perms.create_group('viewers');
SELECT inventree_perms.add_user_to_group('bob', 'viewers');
SELECT inventree_perms.add_delegate('ip_app');
SQL

as_pg "$PGBIN/pg_basebackup -h 127.0.0.1 -p $P -U postgres -D '$T/standby' -R -X stream -c fast" >"$T/basebackup.log" 2>&1 ||
	{ cat "$T/basebackup.log"; bail "pg_basebackup"; }
cat >>"$T/standby/postgresql.conf" <<EOF
port = $S
hot_standby = on
EOF
start_cluster standby
is "$(q "$S" postgres "SELECT pg_is_in_recovery()")" t "the standby is in recovery (hot standby)"

# wait_replay: until the standby has replayed everything the primary wrote
wait_replay() {
	local lsn i
	lsn=$(q "$P" postgres "SELECT pg_current_wal_lsn()")
	for i in $(seq 1 300); do
		if [ "$(q "$S" postgres "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")" = t ]; then
			return 0
		fi
		sleep 0.1
	done
	diag "standby did not replay $lsn in 30 s"
	return 1
}
wait_replay
ok $? "the standby caught up with the primary"

# the two long-lived standby sessions
session_open su "$S" postgres postgres
session_open app "$S" postgres ip_app
PID_SU=$(session_q su "SELECT pg_backend_pid()")
PID_APP=$(session_q app "SELECT pg_backend_pid()")
is "$(session_q app "SELECT inventree_perms.set_acting_user('alice', false); SELECT inventree_perms.acting_user()" | sed '/^$/d')" alice \
	"standby: the delegate session acts for alice (session-level)"

CHECK="SELECT inventree_perms.has_model_perm('alice', 'widget', 'view'),
	inventree_perms.has_model_perm('alice', 'items', 'view'),
	inventree_perms.has_model_perm('bob', 'stock_stockitem', 'change'),
	inventree_perms.has_role_perm('bob', 'stock', 'view'),
	inventree_perms.has_model_perm('bob', 'widget', 'add')"
APPQ="SELECT inventree_perms.has_model_perm('items', 'view'), (SELECT count(*) FROM public.items)"

# warm both caches, and show they are warm
is "$(session_q su "$CHECK")" "f|f|f|f|f" "standby, warm session: nothing granted yet"
is "$(session_q app "$APPQ")" "f|0" "standby, ip_app as alice: no view on items, RLS shows 0 rows"
ok "$(session_q su "SELECT entries > 0 FROM inventree_perms_internal._cache_stats()" | grep -qx t; echo $?)" "standby: the session's cache holds entries (warm)"

step() {	# step DESC SQL-ON-PRIMARY WANT-SU WANT-APP
	q "$P" postgres "$2" >/dev/null || diag "primary: $2 failed"
	wait_replay || true
	is "$(session_q su "$CHECK")" "$3" "standby, same session, after $1"
	is "$(session_q app "$APPQ")" "$4" "standby, same RLS session, after $1"
}
step "grant alice view on widget and items" \
	"SELECT inventree_perms.grant_user_perm('alice', 'widget', 'view');
	 SELECT inventree_perms.grant_user_perm('alice', 'items', 'view')" "t|t|f|f|f" "t|40"
step "revoke alice view on items" \
	"SELECT inventree_perms.revoke_user_perm('alice', 'items', 'view')" "t|f|f|f|f" "f|0"
step "revoke alice view on widget, grant items again (one transaction)" \
	"BEGIN; SELECT inventree_perms.revoke_user_perm('alice', 'widget', 'view');
	 SELECT inventree_perms.grant_user_perm('alice', 'items', 'all'); COMMIT" "f|t|f|f|f" "t|40"
step "bob joins a group with the stock role flag change" \
	"SELECT inventree_perms.grant_group_role('stock keepers', 'stock', 'change');
	 SELECT inventree_perms.add_user_to_group('bob', 'stock keepers')" "f|t|t|t|f" "t|40"
step "a grant to bob's other group" \
	"SELECT inventree_perms.grant_group_perm('viewers', 'widget', 'add')" "f|t|t|t|t" "t|40"
step "bob leaves the stock group" \
	"SELECT inventree_perms.remove_user_from_group('bob', 'stock keepers')" "f|t|f|f|t" "t|40"
step "alice deactivated" \
	"SELECT inventree_perms.set_user_active('alice', false)" "f|f|f|f|t" "f|0"
step "direct DML on the primary: UPDATE users SET is_active = true" \
	"UPDATE inventree_perms.users SET is_active = true WHERE name = 'alice'" "f|t|f|f|t" "t|40"
step "a rolled-back revoke (nothing changes)" \
	"BEGIN; SELECT inventree_perms.revoke_user_perm('alice', 'items', 'all'); ROLLBACK" "f|t|f|f|t" "t|40"
step "bob dropped" \
	"SELECT inventree_perms.drop_user('bob')" "f|t|f|f|f" "t|40"

is "$(session_q su "SELECT pg_backend_pid()")" "$PID_SU" "standby: the superuser session never reconnected"
is "$(session_q app "SELECT pg_backend_pid()")" "$PID_APP" "standby: the RLS session never reconnected"

# management on the standby: PostgreSQL's read-only error, whatever the call
q "$P" postgres "CREATE ROLE ip_other; SELECT inventree_perms.create_role('r1'); SELECT inventree_perms.create_user('carol')" >/dev/null
wait_replay || true
while IFS= read -r call; do
	[ -z "$call" ] && continue
	is "$(sqlstate "$S" postgres "SELECT $call")" 25006 "standby: $call -> 25006"
done <<'CALLS'
inventree_perms.create_user('dave')
inventree_perms.create_user('eve', true)
inventree_perms.drop_user('carol')
inventree_perms.set_user_active('carol', false)
inventree_perms.set_user_superuser('carol', true)
inventree_perms.create_group('g2')
inventree_perms.drop_group('viewers')
inventree_perms.add_user_to_group('carol', 'viewers')
inventree_perms.remove_user_from_group('alice', 'viewers')
inventree_perms.register_model('gizmo')
inventree_perms.register_model('widget', NULL, 'new description')
inventree_perms.unregister_model('widget')
inventree_perms.grant_user_perm('carol', 'widget', 'view')
inventree_perms.revoke_user_perm('alice', 'items', 'all')
inventree_perms.grant_group_perm('viewers', 'widget', 'delete')
inventree_perms.revoke_group_perm('viewers', 'widget', 'add')
inventree_perms.create_role('r2')
inventree_perms.drop_role('r1')
inventree_perms.add_model_to_role('r1', 'widget')
inventree_perms.remove_model_from_role('stock', 'stock_stockitem')
inventree_perms.grant_group_role('viewers', 'part', 'view')
inventree_perms.revoke_group_role('stock keepers', 'stock', 'view')
inventree_perms.add_delegate('ip_other')
inventree_perms.remove_delegate('ip_app')
inventree_perms.protect('public.items', 'items')
inventree_perms.unprotect('public.items')
CALLS
# the same calls are accepted by the primary (so 25006 was about the standby)
is "$(sqlstate "$P" postgres "BEGIN; SELECT inventree_perms.create_user('dave'); SELECT inventree_perms.grant_user_perm('carol', 'widget', 'view'); SELECT inventree_perms.unprotect('public.items'); ROLLBACK")" OK \
	"primary: the same management calls work there"
# a call that would change nothing is refused too, as GRANT is
for call in "inventree_perms.set_user_active('carol', true)" "inventree_perms.grant_user_perm('alice', 'items', 'view')" \
	"inventree_perms.revoke_user_perm('carol', 'widget', 'delete')" "inventree_perms.add_user_to_group('bob', 'viewers')" \
	"inventree_perms.register_model('widget')" "inventree_perms.import_django('public')" \
	"inventree_perms.link_django('public')" "inventree_perms.unlink_django('public')"; do
	is "$(sqlstate "$S" postgres "SELECT $call")" 25006 "standby: no-op $call -> 25006"
done
# checks and set_acting_user still work on the standby
is "$(sqlstate "$S" postgres "SET ROLE ip_app; SELECT inventree_perms.set_acting_user('alice', false); SELECT inventree_perms.user_permissions()")" OK \
	"standby: set_acting_user and user_permissions() work (read-only)"

is "$(log_crashes primary)$(log_crashes standby)" "" "server logs: no crash"
tap_done
