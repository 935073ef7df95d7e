#!/usr/bin/env bash
# dump_restore.sh -- pg_dump / pg_restore keep everything inventree_perms holds.
#
# A database with users, groups, memberships, models (one of them a shipped
# catalogue model bound to a table), grants, role flags, a custom role, a
# delegate, audit rows, two protected tables and catalogue rows removed
# (CREATE EXTENSION in the restore loads them again; they must stay removed),
# the shipped change inheritance (part -> part_bomitem) removed while a group
# holds part's change flag, and an inheritance added by hand, goes through
# pg_dump plain
# (restored with psql) and custom format (restored with pg_restore) into fresh
# databases.  Afterwards, in each: every table row, every user's
# user_permissions(), the has_model_perm / has_role_perm answers for every
# user x model x action, the RLS flags and policies of the protected tables
# and the rows each user sees through them are identical; the audit sequence
# goes on past the restored rows; the delegate still works.
#
# Run as root after `make install`.  Port: 5471 (or the next free up to 5479).
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/perms.bash"

PORT=$(free_port 5471 5479)
new_cluster pg "$PORT"
diag "cluster on 127.0.0.1:$PORT in $T"

q "$PORT" postgres "CREATE DATABASE src" || bail "createdb"
q "$PORT" src "CREATE EXTENSION inventree_perms" || bail "CREATE EXTENSION"
fill_perms "$PORT" src >/dev/null || bail "filling the source database failed"
# a protected table dropped: its model stays, unbound (no dangling OID to dump)
q "$PORT" src "CREATE TABLE public.gone (id int); SELECT inventree_perms.protect('public.gone', 'gone_model');
	SELECT inventree_perms.grant_user_perm('alice', 'gone_model', 'view'); DROP TABLE public.gone" >/dev/null ||
	bail "dropping a protected table failed"
is "$(q "$PORT" src "SELECT coalesce(relation::text, 'unbound') FROM inventree_perms.models WHERE name = 'gone_model'")" unbound \
	"source: the model of a dropped table is unbound"
# change inheritance: the shipped pair removed (a group holds part's change
# flag: restored, the pair would give it add and delete on part_bomitem), and
# one added by hand (stock keepers hold stock's change flag)
q "$PORT" src "SELECT inventree_perms.create_group('BOM makers'); SELECT inventree_perms.create_user('bom maker');
	SELECT inventree_perms.add_user_to_group('bom maker', 'BOM makers');
	SELECT inventree_perms.grant_group_role('BOM makers', 'part', 'change');
	SELECT inventree_perms.remove_change_inherit('part', 'part_bomitem');
	SELECT inventree_perms.add_change_inherit('stock', 'part_bomitem')" >/dev/null ||
	bail "changing the change inheritance failed"
snapshot "$PORT" src "$T/src.snap"
ok $? "snapshot of the source (every query ran)"

# the fixture is what it claims to be (else the comparisons prove little)
is "$(q "$PORT" src "SELECT count(*) > 0 FROM inventree_perms.audit_log")" t "source: audit rows exist"
is "$(q "$PORT" src "SELECT relation::text FROM inventree_perms.models WHERE name = 'stock_stockitem' AND shipped")" \
	stock_items "source: shipped catalogue model stock_stockitem is bound to stock_items"
is "$(q "$PORT" src "SELECT count(*) FROM inventree_perms.group_roles")" 11 "source: role flags exist"
# the inheritance table, its removal marks, and what bom maker and bob may do
# on part_bomitem (view, add, change, delete)
INHERIT_STATE="SELECT (SELECT coalesce(string_agg(role || '/' || model || ':' || shipped, ' ' ORDER BY role, model), '-')
		FROM inventree_perms.role_change_inherits)
	|| ' marks=' || (SELECT coalesce(string_agg(name || '/' || model, ' ' ORDER BY name, model), '-')
		FROM inventree_perms.catalogue_removals WHERE kind = 'change_inherit')
	|| ' bom=' || (SELECT string_agg(z.s, ' ' ORDER BY y.p)
		FROM unnest(ARRAY['bom maker', 'bob']) WITH ORDINALITY y(u, p),
		LATERAL (SELECT string_agg(CASE WHEN inventree_perms.has_model_perm(y.u, 'part_bomitem', x.a)
										THEN left(x.a, 1) ELSE '-' END, '' ORDER BY x.o) AS s
				 FROM unnest('{view,add,change,delete}'::text[]) WITH ORDINALITY x(a, o)) z)"
is "$(q "$PORT" src "$INHERIT_STATE")" "stock/part_bomitem:false marks=part/part_bomitem bom=v-c- vacd" \
	"source: the shipped change inheritance removed (marked; part's change flag gives its flags only), one added by hand (all four)"
is "$(q "$PORT" src "SELECT (SELECT count(*) FROM inventree_perms.models WHERE name = 'report_reportasset')
	+ (SELECT count(*) FROM inventree_perms.roles WHERE name = 'transfer_order')
	+ (SELECT count(*) FROM inventree_perms.role_models WHERE role = 'stock' AND model = 'stock_stockitemtracking')")" 0 \
	"source: a catalogue model, role and role pair are removed"
is "$(q "$PORT" src "SELECT shipped FROM inventree_perms.models WHERE name = 'report_reportsnippet'")" f \
	"source: a catalogue model removed and registered again by hand"
is "$(q "$PORT" src "SELECT string_agg(role::text, ',') FROM inventree_perms.delegates")" ip_app "source: delegate ip_app"
is "$(q "$PORT" src "SELECT count(*) FROM pg_policy WHERE polrelid = 'public.parts'::regclass")" 8 "source: parts has 8 policies (four restrictive, an admit-all per command)"
ok "$(grep -c ' sees stock_items=25 ' "$T/src.snap" | grep -qv '^0$'; echo $?)" "source: someone sees stock_items through RLS"
ok "$(grep -c ' sees stock_items=0 ' "$T/src.snap" | grep -qv '^0$'; echo $?)" "source: someone is refused stock_items by RLS"

MAXID=$(q "$PORT" src "SELECT max(id) FROM inventree_perms.audit_log")

# ---- dump ------------------------------------------------------------------
pg_dump -h "$T" -p "$PORT" -U postgres -Fp -f "$T/src.sql" src 2>"$T/dump_p.err"
ok $? "pg_dump plain"
pg_dump -h "$T" -p "$PORT" -U postgres -Fc -f "$T/src.dump" src 2>"$T/dump_c.err"
ok $? "pg_dump custom (-Fc)"
is "$(cat "$T/dump_p.err" "$T/dump_c.err")" "" "pg_dump: no warning"

# ---- restore ---------------------------------------------------------------
q "$PORT" postgres "CREATE DATABASE r_plain TEMPLATE template0" || bail "createdb r_plain"
q "$PORT" postgres "CREATE DATABASE r_custom TEMPLATE template0" || bail "createdb r_custom"
psql -X -q -v ON_ERROR_STOP=1 -h "$T" -p "$PORT" -U postgres -d r_plain <"$T/src.sql" >"$T/restore_p.log" 2>&1
rc=$?
ok $rc "plain dump restores with psql (ON_ERROR_STOP)"
[ $rc -eq 0 ] || sed 's/^/#   /' "$T/restore_p.log" | head -20
pg_restore -h "$T" -p "$PORT" -U postgres --exit-on-error -d r_custom "$T/src.dump" >"$T/restore_c.log" 2>&1
rc=$?
ok $rc "custom dump restores with pg_restore --exit-on-error"
[ $rc -eq 0 ] || sed 's/^/#   /' "$T/restore_c.log" | head -20

for db in r_plain r_custom; do
	snapshot "$PORT" "$db" "$T/$db.snap" "$T/src.snap.cols"
	ok $? "$db: snapshot (every query ran)"
	# each section compared on its own, so a failure says what differs
	for sec in "table users" "table groups" "table memberships" "table models" "table user_perms" \
		"table group_perms" "table roles" "table role_models" "table group_roles" "table delegates" \
		"table role_change_inherits" \
		"table protected" "table audit_log" "table catalogue_removals" "user_permissions" "has_model_perm" "has_role_perm" \
		"protected tables" "rows each user sees"; do
		awk -v s="== $sec" 'index($0, "== ") == 1 { on = (index($0, s) == 1) } on' "$T/src.snap" >"$T/a"
		awk -v s="== $sec" 'index($0, "== ") == 1 { on = (index($0, s) == 1) } on' "$T/$db.snap" >"$T/b"
		[ "$(wc -l <"$T/a")" -gt 1 ] || diag "section '$sec' is empty in the source"
		same_file "$T/a" "$T/b" "$db: $sec identical ($(($(wc -l <"$T/a") - 1)) lines)"
	done
	same_file "$T/src.snap" "$T/$db.snap" "$db: whole snapshot identical"

	is "$(q "$PORT" "$db" "$INHERIT_STATE")" "stock/part_bomitem:false marks=part/part_bomitem bom=v-c- vacd" \
		"$db: the shipped change inheritance stays removed, the one added by hand is back, same answers"
	is "$(q "$PORT" "$db" "SELECT relrowsecurity FROM pg_class WHERE oid = 'public.parts'::regclass")" t \
		"$db: RLS still enabled on the protected table parts"
	is "$(q "$PORT" "$db" "SELECT count(*) FROM pg_policy WHERE polrelid = 'public.parts'::regclass AND polname LIKE 'inventree\_perms\_%'")" 8 \
		"$db: parts still has its 8 inventree_perms_ policies"
	is "$(q "$PORT" "$db" "SELECT count(*) FROM inventree_perms.models WHERE shipped")" \
		"$(q "$PORT" src "SELECT count(*) FROM inventree_perms.models WHERE shipped")" \
		"$db: shipped catalogue restored once (no duplicates, none lost)"

	# new grants work; the audit sequence was restored past the old rows
	out=$(q "$PORT" "$db" "SELECT inventree_perms.grant_user_perm('bob', 'parts', 'view');
		SELECT inventree_perms.create_user('after restore');
		SELECT inventree_perms.has_model_perm('bob', 'parts', 'view');" 2>&1)
	is "$out" t "$db: a new grant works and is answered"
	is "$(q "$PORT" "$db" "SELECT min(id) > $MAXID AND count(*) = 2 FROM inventree_perms.audit_log WHERE operation IN ('grant_user_perm', 'create_user') AND id > $MAXID")" t \
		"$db: new audit ids are greater than the restored max ($MAXID)"
	is "$(q "$PORT" "$db" "SELECT nextval('inventree_perms.audit_log_id_seq') > $MAXID")" t \
		"$db: audit_log_id_seq restored"
	# and RLS follows a new grant on the restored protected table
	is "$(q "$PORT" "$db" "SET ROLE ip_app; SELECT inventree_perms.set_acting_user('bob', false); SELECT count(*) FROM public.parts")" 10 "$db: bob now sees parts (view granted earlier, RLS live)"
	# the delegate works, a non-delegate does not
	is "$(sqlstate "$PORT" "$db" "SET ROLE ip_app; SELECT inventree_perms.set_acting_user('alice')")" OK \
		"$db: delegate ip_app may set_acting_user"
	is "$(sqlstate "$PORT" "$db" "SET ROLE bob; SELECT inventree_perms.set_acting_user('alice')")" 42501 \
		"$db: non-delegate bob may not (42501)"
	is "$(q "$PORT" "$db" "SELECT count(*) FROM inventree_perms.audit_log WHERE id <= $MAXID")" \
		"$(q "$PORT" src "SELECT count(*) FROM inventree_perms.audit_log")" "$db: audit row count"
done

is "$(log_crashes pg)" "" "server log: no crash"
tap_done
