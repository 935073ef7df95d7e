#!/usr/bin/env bash
# logical.sh -- the extension's tables published by database A and
# subscribed by database B (logical replication); a session on B that is
# already open with a warm cache answers from a change once it is applied.
#
# What is published (and why):
#   users, groups, memberships, user_perms, group_perms, group_roles
#     -- the permission data.  B starts with these empty, so copy_data = true
#        copies A's rows without conflict.
#   not published: models, roles, role_models (the catalogue).  CREATE
#     EXTENSION loads the shipped catalogue (116 models, 10 roles, 95
#     role->model pairs) on both sides, so copy_data would hit duplicate keys
#     on those rows and the table sync would fail for ever; and a model's
#     "relation" is a table OID local to each database.  Register custom models
#     and roles on both sides, like DDL (logical replication does not carry
#     DDL either).  Grants on a model B does not know are still applied (the
#     apply worker does not check foreign keys) and count once B registers it.
#   not published: audit_log (each side audits its own management calls; the
#     ids of two sequences would collide), delegates (regrole: role OIDs),
#     protected (regclass: table OIDs; call protect() on B's tables on B).
# The apply worker writes with session_replication_role = replica; the
# extension's invalidation trigger is ENABLE ALWAYS, so B's caches still
# hear of every applied change (this test fails if it did not).
#
# Diagnosis aid: ROW_TRIGGER_WORKAROUND='<SQL run on B before enabling the
# subscription>' (it served to show that the apply worker fires row
# triggers only: the invalidation triggers are row triggers since then).
#
# Run as root after `make install`.  Port: 5476 (or the next free up to 5479).
source "$(dirname "$0")/lib/common.bash"

P=$(free_port 5476 5479)
new_cluster pg "$P" "wal_level = logical" "max_replication_slots = 10" "max_wal_senders = 10" \
	"max_logical_replication_workers = 6" "max_sync_workers_per_subscription = 4"
diag "cluster on 127.0.0.1:$P in $T (databases a -> b)"

TABLES="inventree_perms.users, inventree_perms.groups, inventree_perms.memberships,
	inventree_perms.user_perms, inventree_perms.group_perms, inventree_perms.group_roles, public.marker"
SETUP_BOTH="CREATE EXTENSION inventree_perms;
CREATE TABLE public.marker (n int PRIMARY KEY);
CREATE TABLE public.items (id int PRIMARY KEY);
INSERT INTO public.items SELECT generate_series(1, 30);
GRANT SELECT ON public.items TO ip_app;
SELECT inventree_perms.protect('public.items');
SELECT inventree_perms.register_model('widget');
SELECT inventree_perms.create_role('widgets');
SELECT inventree_perms.add_model_to_role('widgets', 'widget');
SELECT inventree_perms.add_delegate('ip_app');"

q "$P" postgres "CREATE ROLE ip_app LOGIN; CREATE DATABASE a; CREATE DATABASE b" >/dev/null || bail "setup"
q "$P" a "$SETUP_BOTH" >/dev/null || bail "setup a"
q "$P" b "$SETUP_BOTH" >/dev/null || bail "setup b"
# rows on A before the subscription: they come over with copy_data
q "$P" a - >/dev/null <<'SQL' || bail "fill a"
SELECT inventree_perms.create_user('alice');
SELECT inventree_perms.create_user('bob');
SELECT inventree_perms.create_user('Zoë');
SELECT inventree_perms.create_group('makers');
SELECT inventree_perms.add_user_to_group('bob', 'makers');
SELECT inventree_perms.grant_group_role('makers', 'widgets', 'add');
SELECT inventree_perms.grant_user_perm('Zoë', 'items', 'view');
SQL
q "$P" a "CREATE PUBLICATION ip_pub FOR TABLE $TABLES;
	SELECT pg_create_logical_replication_slot('ip_sub', 'pgoutput')" >/dev/null || bail "publication"
q "$P" b "CREATE SUBSCRIPTION ip_sub CONNECTION 'host=$T port=$P dbname=a user=postgres'
	PUBLICATION ip_pub WITH (create_slot = false, slot_name = 'ip_sub', copy_data = true, enabled = false)" >/dev/null || bail "subscription"

# a session on B, opened before anything arrived, with a warm cache
session_open sb "$P" b postgres
session_open sapp "$P" b ip_app
PID_SB=$(session_q sb "SELECT pg_backend_pid()")
PID_APP=$(session_q sapp "SELECT pg_backend_pid()")
CHECK="SELECT inventree_perms.has_model_perm('alice', 'widget', 'view'),
	inventree_perms.has_model_perm('bob', 'widget', 'change'),
	inventree_perms.has_role_perm('bob', 'widgets', 'add'),
	inventree_perms.has_model_perm('Zoë', 'items', 'view')"
APPQ="SELECT (SELECT count(*) FROM public.items)"
is "$(session_q sb "$CHECK")" "f|f|f|f" "B, warm session: nothing yet"
is "$(session_q sapp "$APPQ")" 0 "B, RLS session of the delegate ip_app (not a user): 0 rows"

# the initial copy
q "$P" b "${ROW_TRIGGER_WORKAROUND:-}ALTER SUBSCRIPTION ip_sub ENABLE" >/dev/null || bail "enable subscription"
for i in $(seq 1 300); do
	[ "$(q "$P" b "SELECT count(*) = 7 AND bool_and(srsubstate = 'r') FROM pg_subscription_rel")" = t ] && break
	sleep 0.1
done
is "$(q "$P" b "SELECT count(*) = 7 AND bool_and(srsubstate = 'r') FROM pg_subscription_rel")" t "B: all 7 tables synchronized (copy_data)"
is "$(q "$P" b "SELECT string_agg(name, ',' ORDER BY name) FROM inventree_perms.users")" "Zoë,alice,bob" "B: users copied"
is "$(session_q sb "$CHECK")" "f|t|t|t" "B, same warm session: sees the copied rows"
is "$(session_q sapp "SELECT inventree_perms.set_acting_user('Zoë', false); $APPQ" | sed '/^$/d')" 30 "B, same RLS session, now acting for Zoë: she sees the protected rows"

# step DESC SQL-ON-A WANT-CHECK WANT-APP: after the change, a marker row is
# committed on A; once it is on B, everything before it has been applied
M=0
step() {
	M=$((M + 1))
	q "$P" a "$2" >/dev/null || diag "A: $2 failed"
	q "$P" a "INSERT INTO public.marker VALUES ($M)" >/dev/null
	local i
	for i in $(seq 1 300); do
		[ "$(q "$P" b "SELECT EXISTS (SELECT 1 FROM public.marker WHERE n = $M)")" = t ] && break
		sleep 0.1
	done
	is "$(session_q sb "$CHECK")" "$3" "B, same session, once applied: $1"
	is "$(session_q sapp "$APPQ")" "$4" "B, same RLS session, once applied: $1"
}
step "grant alice view on widget" "SELECT inventree_perms.grant_user_perm('alice', 'widget', 'view')" "t|t|t|t" 30
step "revoke it" "SELECT inventree_perms.revoke_user_perm('alice', 'widget', 'all')" "f|t|t|t" 30
step "revoke Zoë's view on items" "SELECT inventree_perms.revoke_user_perm('Zoë', 'items', 'view')" "f|t|t|f" 0
step "makers lose the role flag add (keep view, change)" "SELECT inventree_perms.revoke_group_role('makers', 'widgets', 'add')" "f|t|f|f" 0
step "bob leaves makers" "SELECT inventree_perms.remove_user_from_group('bob', 'makers')" "f|f|f|f" 0
step "Zoë gets items via a group" "SELECT inventree_perms.create_group('readers');
	SELECT inventree_perms.add_user_to_group('Zoë', 'readers');
	SELECT inventree_perms.grant_group_perm('readers', 'items', 'view')" "f|f|f|t" 30
step "Zoë deactivated" "SELECT inventree_perms.set_user_active('Zoë', false)" "f|f|f|f" 0
step "Zoë active again by direct UPDATE on A" "UPDATE inventree_perms.users SET is_active = true WHERE name = 'Zoë'" "f|f|f|t" 30
step "a rolled-back grant" "BEGIN; SELECT inventree_perms.grant_user_perm('alice', 'widget', 'all'); ROLLBACK" "f|f|f|t" 30
step "alice made superuser" "SELECT inventree_perms.set_user_superuser('alice', true)" "t|f|f|t" 30
step "group readers dropped" "SELECT inventree_perms.drop_group('readers')" "t|f|f|f" 0

is "$(session_q sb "SELECT pg_backend_pid()")" "$PID_SB" "B: the warm session never reconnected"
is "$(session_q sapp "SELECT pg_backend_pid()")" "$PID_APP" "B: the RLS session never reconnected"
for t in users groups memberships user_perms group_perms group_roles; do
	is "$(q "$P" b "SELECT md5(coalesce(string_agg(x::text, ';' ORDER BY x::text), '')) FROM inventree_perms.$t x")" \
		"$(q "$P" a "SELECT md5(coalesce(string_agg(x::text, ';' ORDER BY x::text), '')) FROM inventree_perms.$t x")" \
		"B's $t equals A's"
done
is "$(grep -E 'ERROR|duplicate key' "$T/pg.log" | head -3)" "" "server log: no apply or sync error"
is "$(log_crashes pg)" "" "server log: no crash"
q "$P" b "ALTER SUBSCRIPTION ip_sub DISABLE; ALTER SUBSCRIPTION ip_sub SET (slot_name = NONE); DROP SUBSCRIPTION ip_sub" >/dev/null 2>&1
tap_done
