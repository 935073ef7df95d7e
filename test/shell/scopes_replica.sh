#!/usr/bin/env bash
# scopes_replica.sh -- row scopes on replicas: a tree node added, moved,
# re-owned or deleted on the primary changes has_row_perm and the protected
# rows on a hot standby once replayed, and on a logical subscriber once
# applied, in sessions that were already open with the tree cached.
#
# The fixture (on the primary, and on database a): a tree public.loc (1 is
# the root; 2 and 4 below 1; 3 below 2) with owners (owner 1 stands for
# alice, owner 2 for the group team, bob's), a table public.item scoped by
# it (one item per node, item 100 without a node), alice with scoped view
# and change within node 2, bob model-wide change.
#
# Streaming standby (pg_basebackup -R): the standby replays the tree's
# table and the extension's tables; the invalidations the triggers sent on
# the primary are replayed with them.
#
# Logical subscriber (database b of the same cluster): published are the
# tree's table, the scoped table, and the extension's tables that hold
# users, groups, memberships, grants, owners and scoped grants.  Not
# published: trees and model_scopes (they name tables by OID, local to each
# database: b calls register_tree() and protect() itself, like DDL), the
# catalogue and audit_log (see logical.sh).  The tree's triggers are ENABLE
# ALWAYS, so the apply worker's changes to the tree reach b's sessions; a
# node deleted on a also deletes b's scoped grants on it through b's own
# trigger, and the replicated deletes of a's grants then find nothing (not
# an error).
#
# Run as root after `make install`.  Ports: 5740-5759 (the first free ones).
source "$(dirname "$0")/lib/common.bash"

P=$(free_port 5740 5759)
new_cluster primary "$P" "wal_level = logical" "max_wal_senders = 10" "hot_standby = on" \
	"max_replication_slots = 10" "max_logical_replication_workers = 6" "max_sync_workers_per_subscription = 4"
S=$(free_port $((P + 1)) 5759)
diag "primary 127.0.0.1:$P (databases postgres, a -> b), standby 127.0.0.1:$S, in $T"

# the tables (both sides of the logical pair need them)
TABLES_SQL="CREATE TABLE public.loc (id int PRIMARY KEY, parent_id int, owner_id bigint);
CREATE TABLE public.item (id int PRIMARY KEY, loc_id int, owner_id bigint);
CREATE TABLE public.marker (n int PRIMARY KEY);
GRANT SELECT ON public.item TO ip_app;"
# what only the source of the data does
DATA_SQL="INSERT INTO public.loc VALUES (1, NULL, NULL), (2, 1, 2), (3, 2, NULL), (4, 1, NULL);
INSERT INTO public.item SELECT id, id, NULL FROM public.loc;
INSERT INTO public.item VALUES (100, NULL, NULL);
SELECT inventree_perms.create_user('alice');
SELECT inventree_perms.create_user('bob');
SELECT inventree_perms.create_group('team');
SELECT inventree_perms.add_user_to_group('bob', 'team');
SELECT inventree_perms.set_owner(1, 'alice');
SELECT inventree_perms.set_owner(2, groupname => 'team');
SELECT inventree_perms.grant_user_scope('alice', 'item', 'view', 2);
SELECT inventree_perms.grant_user_scope('alice', 'item', 'change', 2);
SELECT inventree_perms.grant_user_perm('bob', 'item', 'change');"
# what each database registers for itself (OIDs are local)
LOCAL_SQL="SELECT inventree_perms.register_tree('loc', 'public.loc', 'parent_id', 'owner_id');
SELECT inventree_perms.protect('public.item', 'item', 'loc_id', 'loc');
SELECT inventree_perms.add_delegate('ip_app');"

q "$P" postgres "CREATE ROLE ip_app LOGIN; CREATE DATABASE a; CREATE DATABASE b" >/dev/null || bail "roles, databases"
for db in postgres a b; do
	q "$P" "$db" "CREATE EXTENSION inventree_perms; $TABLES_SQL" >/dev/null || bail "setup $db"
	q "$P" "$db" "$LOCAL_SQL" >/dev/null || bail "register and protect on $db"
done
for db in postgres a; do
	q "$P" "$db" "$DATA_SQL" >/dev/null || bail "data on $db"
done

# the checks, the same on the standby and on b:
#   alice view 3, view 4, view 5, change 3, change 2; bob change 3
CHECK="SELECT inventree_perms.has_row_perm('alice', 'item', 'view', 3),
	inventree_perms.has_row_perm('alice', 'item', 'view', 4),
	inventree_perms.has_row_perm('alice', 'item', 'view', 5),
	inventree_perms.has_row_perm('alice', 'item', 'change', 3),
	inventree_perms.has_row_perm('alice', 'item', 'change', 2),
	inventree_perms.has_row_perm('bob', 'item', 'change', 3)"
# the items alice sees through the policies, acting for her
APPQ="SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '-') FROM public.item"

# the changes, in order: description, SQL on the source, expected CHECK,
# expected APPQ
STEPS=(
	"a node added below 3 (and an item on it)"
	"INSERT INTO public.loc VALUES (5, 3, NULL); INSERT INTO public.item VALUES (5, 5, NULL)"
	"t|f|t|f|f|t" "2,3,5"
	"node 4 moved below 2"
	"UPDATE public.loc SET parent_id = 2 WHERE id = 4"
	"t|t|t|f|f|t" "2,3,4,5"
	"node 2 re-owned: owner 1 (alice) instead of 2 (team)"
	"UPDATE public.loc SET owner_id = 1 WHERE id = 2"
	"t|t|t|t|t|f" "2,3,4,5"
	"node 3 gets an owner of its own (team)"
	"UPDATE public.loc SET owner_id = 2 WHERE id = 3"
	"t|t|t|f|t|t" "2,3,4,5"
	"node 4 deleted (its item stays, on a node that is gone)"
	"DELETE FROM public.loc WHERE id = 4"
	"t|f|t|f|t|t" "2,3,5"
	"node 3 moved out of alice's scope, with 5 below it"
	"UPDATE public.loc SET parent_id = 1 WHERE id = 3"
	"f|f|f|f|t|t" "2"
	"a rolled-back move (nothing changes)"
	"BEGIN; UPDATE public.loc SET parent_id = 2 WHERE id = 3; ROLLBACK"
	"f|f|f|f|t|t" "2"
	"node 2 deleted: alice's scoped grants on it go"
	"DELETE FROM public.loc WHERE id = 2"
	"f|f|f|f|f|t" "-"
)

# run_steps NAME SOURCE-PORT SOURCE-DB WAIT-FUNCTION SESSION-SU SESSION-APP
run_steps() {
	local where=$1 port=$2 db=$3 wait=$4 su=$5 app=$6 i
	for ((i = 0; i < ${#STEPS[@]}; i += 4)); do
		q "$port" "$db" "${STEPS[i + 1]}" >/dev/null || diag "$db: ${STEPS[i + 1]} failed"
		"$wait" || true
		is "$(session_q "$su" "$CHECK")" "${STEPS[i + 2]}" "$where, same session: has_row_perm after $((i / 4 + 1)). ${STEPS[i]}"
		is "$(session_q "$app" "$APPQ")" "${STEPS[i + 3]}" "$where, same RLS session acting for alice: rows after $((i / 4 + 1)). ${STEPS[i]}"
	done
}

# ---- the hot standby --------------------------------------------------------
as_pg "$PGBIN/pg_basebackup -h 127.0.0.1 -p $P -U postgres -D '$T/standby' -R -X stream -c fast" >"$T/basebackup.log" 2>&1 ||
	{ cat "$T/basebackup.log"; bail "pg_basebackup"; }
cat >>"$T/standby/postgresql.conf" <<EOF
port = $S
hot_standby = on
EOF
start_cluster standby
is "$(q "$S" postgres "SELECT pg_is_in_recovery()")" t "the standby is in recovery (hot standby)"

wait_replay() {	# until the standby has replayed what the primary wrote
	local lsn i
	lsn=$(q "$P" postgres "SELECT pg_current_wal_lsn()")
	for i in $(seq 1 300); do
		[ "$(q "$S" postgres "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")" = t ] && return 0
		sleep 0.1
	done
	diag "standby did not replay $lsn in 30 s"
	return 1
}
wait_replay
ok $? "the standby caught up with the primary"

session_open ssu "$S" postgres postgres
session_open sapp "$S" postgres ip_app
PID_SSU=$(session_q ssu "SELECT pg_backend_pid()")
PID_SAPP=$(session_q sapp "SELECT pg_backend_pid()")
session_q sapp "SELECT inventree_perms.set_acting_user('alice', false)" >/dev/null
# warm: the tree is read into both sessions' caches
is "$(session_q ssu "$CHECK")" "t|f|f|f|f|t" "standby, warm session: within node 2 only, node 2 owned by team"
is "$(session_q sapp "$APPQ")" "2,3" "standby, RLS session acting for alice: the items within node 2"
run_steps standby "$P" postgres wait_replay ssu sapp
is "$(session_q ssu "SELECT pg_backend_pid()")" "$PID_SSU" "standby: the checking session never reconnected"
is "$(session_q sapp "SELECT pg_backend_pid()")" "$PID_SAPP" "standby: the RLS session never reconnected"
is "$(sqlstate "$S" postgres "SELECT inventree_perms.grant_user_scope('alice', 'item', 'view', 1)")" 25006 \
	"standby: a scoped grant is refused (read-only)"

# ---- the logical subscriber -------------------------------------------------
PUB_TABLES="inventree_perms.users, inventree_perms.groups, inventree_perms.memberships,
	inventree_perms.user_perms, inventree_perms.group_perms, inventree_perms.owners,
	inventree_perms.user_scope_grants, inventree_perms.group_scope_grants,
	public.loc, public.item, public.marker"
q "$P" a "CREATE PUBLICATION ip_pub FOR TABLE $PUB_TABLES;
	SELECT pg_create_logical_replication_slot('ip_sub', 'pgoutput')" >/dev/null || bail "publication"
q "$P" b "CREATE SUBSCRIPTION ip_sub CONNECTION 'host=$T port=$P dbname=a user=postgres'
	PUBLICATION ip_pub WITH (create_slot = false, slot_name = 'ip_sub', copy_data = true, enabled = false)" >/dev/null ||
	bail "subscription"

# b's sessions, open before anything arrived, the (empty) tree cached
session_open bsu "$P" b postgres
session_open bapp "$P" b ip_app
PID_BSU=$(session_q bsu "SELECT pg_backend_pid()")
PID_BAPP=$(session_q bapp "SELECT pg_backend_pid()")
is "$(session_q bsu "$CHECK")" "f|f|f|f|f|f" "b, warm session: nothing yet"
is "$(session_q bapp "$APPQ")" "-" "b, RLS session of the delegate (no acting user yet): no rows"

q "$P" b "ALTER SUBSCRIPTION ip_sub ENABLE" >/dev/null || bail "enable subscription"
NT=$(echo "$PUB_TABLES" | tr ',' '\n' | grep -c .)
for i in $(seq 1 300); do
	[ "$(q "$P" b "SELECT count(*) = $NT AND bool_and(srsubstate = 'r') FROM pg_subscription_rel")" = t ] && break
	sleep 0.1
done
is "$(q "$P" b "SELECT count(*) = $NT AND bool_and(srsubstate = 'r') FROM pg_subscription_rel")" t \
	"b: all $NT tables synchronized (copy_data)"
is "$(session_q bsu "$CHECK")" "t|f|f|f|f|t" "b, same warm session: the copied tree, owners and scoped grants count"
is "$(session_q bapp "SELECT inventree_perms.set_acting_user('alice', false); $APPQ" | sed '/^$/d')" "2,3" \
	"b, same RLS session, now acting for alice: the items within node 2"

M=0
wait_applied() {	# a marker row committed on a after the change, seen on b
	local i
	M=$((M + 1))
	q "$P" a "INSERT INTO public.marker VALUES ($M)" >/dev/null
	for i in $(seq 1 300); do
		[ "$(q "$P" b "SELECT EXISTS (SELECT 1 FROM public.marker WHERE n = $M)")" = t ] && return 0
		sleep 0.1
	done
	diag "b did not apply marker $M in 30 s"
	return 1
}
run_steps "logical subscriber" "$P" a wait_applied bsu bapp
is "$(session_q bsu "SELECT pg_backend_pid()")" "$PID_BSU" "b: the checking session never reconnected"
is "$(session_q bapp "SELECT pg_backend_pid()")" "$PID_BAPP" "b: the RLS session never reconnected"
for t in owners user_scope_grants group_scope_grants; do
	is "$(q "$P" b "SELECT md5(coalesce(string_agg(x::text, ';' ORDER BY x::text), '')) FROM inventree_perms.$t x")" \
		"$(q "$P" a "SELECT md5(coalesce(string_agg(x::text, ';' ORDER BY x::text), '')) FROM inventree_perms.$t x")" \
		"b's $t equals a's"
done
is "$(q "$P" b "SELECT count(*) FROM inventree_perms.user_scope_grants")" 0 "b: alice's scoped grants on node 2 are gone"

is "$(grep -E 'ERROR|duplicate key' "$T/primary.log" | head -3)" "" "server log: no apply or sync error"
is "$(log_crashes primary)$(log_crashes standby)" "" "server logs: no crash"
q "$P" b "ALTER SUBSCRIPTION ip_sub DISABLE; ALTER SUBSCRIPTION ip_sub SET (slot_name = NONE); DROP SUBSCRIPTION ip_sub" >/dev/null 2>&1
tap_done
