#!/usr/bin/env bash
# scopes_dump.sh -- pg_dump / pg_restore with row scopes: trees, owners,
# scoped grants, a scoped and owned table with a partition.  Restored with
# pg_restore into fresh databases (plain and from a directory dump): no error; the same rows
# in trees, owners, model_scopes and the scoped grants; the same triggers on
# the tree's table and the same policies; every has_row_perm answer the
# same; and the restored tree is followed live (a node deleted takes its
# grants, a node moved counts at once).
#
# Run as root after `make install`.  Port: 5800 (or the next free up to 5819).
source "$(dirname "$0")/lib/common.bash"

PORT=$(free_port 5800 5819)
new_cluster pg "$PORT"

q "$PORT" postgres "CREATE DATABASE src" || bail "createdb"
q "$PORT" src - >/dev/null <<'SQL' || bail "source setup"
CREATE EXTENSION inventree_perms;
CREATE ROLE sd_alice LOGIN;
CREATE TABLE public.loc (id int PRIMARY KEY, parent_id int, owner_id bigint);
INSERT INTO public.loc VALUES (1, NULL, NULL), (2, 1, NULL), (3, 2, 10), (4, 1, NULL), (5, 4, 11), (6, 5, NULL);
CREATE TABLE public.item (id int, location_id int, owner_id bigint, d date NOT NULL) PARTITION BY RANGE (d);
CREATE TABLE public.item_2024 PARTITION OF public.item FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO public.item SELECT i, 1 + i % 6, CASE WHEN i % 5 = 0 THEN 11 END, '2024-03-01' FROM generate_series(1, 30) i;
SELECT inventree_perms.create_user('sd_alice');
SELECT inventree_perms.create_user('sd_bob');
SELECT inventree_perms.create_group('sd_team');
SELECT inventree_perms.add_user_to_group('sd_alice', 'sd_team');
SELECT inventree_perms.set_owner(10, groupname => 'sd_team');
SELECT inventree_perms.set_owner(11, 'sd_bob');
SELECT inventree_perms.register_tree('loc', 'public.loc', 'parent_id', 'owner_id');
SELECT inventree_perms.protect('public.item', 'item', 'location_id', 'loc', 'owner_id');
SELECT inventree_perms.grant_user_scope('sd_alice', 'item', 'view', 2);
SELECT inventree_perms.grant_group_scope('sd_team', 'item', 'all', 1);
SELECT inventree_perms.grant_user_scope('sd_bob', 'item', 'change', 4);
SELECT inventree_perms.grant_user_scope('sd_bob', 'item', 'view', 6);
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO sd_alice;
SQL

state() {	# state DB: the row-scope rows, triggers, policies and answers, sorted
	q "$PORT" "$1" "SELECT 'tree ' || row(t.*)::text FROM inventree_perms.trees t
		UNION ALL SELECT 'owner ' || row(o.*)::text FROM inventree_perms.owners o
		UNION ALL SELECT 'scope ' || row(s.*)::text FROM inventree_perms.model_scopes s
		UNION ALL SELECT 'ugrant ' || row(g.*)::text FROM inventree_perms.user_scope_grants g
		UNION ALL SELECT 'ggrant ' || row(g.*)::text FROM inventree_perms.group_scope_grants g
		UNION ALL SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname || ' ' || tgenabled::text || ' '
			|| pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'public.loc'::regclass
		UNION ALL SELECT 'policy ' || polrelid::regclass || ' ' || polname || ' '
			|| coalesce(pg_get_expr(polqual, polrelid), '-') || ' ' || coalesce(pg_get_expr(polwithcheck, polrelid), '-')
		  FROM pg_policy
		UNION ALL SELECT 'answer ' || u || ' ' || a || ' ' || n || ' '
			|| inventree_perms.has_row_perm(u, 'item', a, n::bigint)
		  FROM unnest('{sd_alice,sd_bob}'::text[]) u, unnest('{view,add,change,delete}'::text[]) a,
			   generate_series(1, 7) n
		ORDER BY 1"
}
state src >"$T/src.state"
is "$(grep -c '^answer .* true$' "$T/src.state")" 22 "source: the answers admit what the grants give (alice 6 views, 4 each of add, change, delete; bob 3 changes, 1 view)"

# (not pg_restore -j 2: the data of the extension's tables that reference
# users and groups can be copied before theirs, and the foreign keys refuse
# it; memberships alone shows that already)
pg_dump -h "$T" -p "$PORT" -U postgres -Fc -f "$T/src.dump" src
ok $? "pg_dump -Fc"
pg_dump -h "$T" -p "$PORT" -U postgres -Fd -f "$T/src.dir" src
ok $? "pg_dump -Fd"
for how in custom directory; do
	db="r_$how"
	q "$PORT" postgres "CREATE DATABASE $db" || bail "createdb $db"
	if [ "$how" = custom ]; then
		pg_restore -h "$T" -p "$PORT" -U postgres -d "$db" --exit-on-error "$T/src.dump" 2>"$T/$db.err"
	else
		pg_restore -h "$T" -p "$PORT" -U postgres -d "$db" --exit-on-error "$T/src.dir" 2>"$T/$db.err"
	fi
	ok $? "$how: pg_restore succeeds"
	is "$(cat "$T/$db.err")" "" "$how: pg_restore reports no error"
	state "$db" >"$T/$db.state"
	same_file "$T/src.state" "$T/$db.state" "$how: the same trees, owners, scoped grants, triggers, policies and answers"
	is "$(q "$PORT" "$db" "SELECT inventree_perms.set_acting_user('sd_alice'); SET ROLE sd_alice;
		SELECT count(*) FROM public.item_2024" | tail -1)" 30 \
		"$how: alice sees the items within 1 through a partition"
	q "$PORT" "$db" "DELETE FROM public.loc WHERE id = 4" >/dev/null
	is "$(q "$PORT" "$db" "SELECT count(*) FROM inventree_perms.user_scope_grants WHERE node = 4")" 0 \
		"$how: the restored tree is followed: a deleted node takes its grants"
	q "$PORT" "$db" "UPDATE public.loc SET parent_id = 3 WHERE id = 5" >/dev/null
	is "$(q "$PORT" "$db" "SELECT inventree_perms.has_row_perm('sd_alice', 'item', 'view', 6)")" t \
		"$how: ... and a moved node counts at once"
done

is "$(log_crashes pg)" "" "server log: no crash"
tap_done
