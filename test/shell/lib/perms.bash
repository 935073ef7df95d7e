# perms.bash -- a filled inventree_perms database and a snapshot of
# everything it stores and answers (dump_restore.sh, upgrade.sh).
# Sourced after common.bash.  Uses only functions of the SPEC (version 1.0 on),
# so it fills every released version.

# fill_perms PORT DB: roles (cluster-wide, made if missing), two tables (one
# bound to a shipped catalogue model, one protected), users, groups,
# memberships, models, grants, role flags, a custom role, a delegate,
# catalogue rows removed (one registered again) and the audit rows all that
# leaves.
fill_perms() {
	q "$1" "$2" - <<'SQL'
DO $$
DECLARE r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['ip_app', 'alice', 'bob', 'ip_admin'] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I LOGIN', r);
		END IF;
	END LOOP;
END $$;
CREATE TABLE public.stock_items (id int PRIMARY KEY, name text);
INSERT INTO public.stock_items SELECT g, 'item ' || g FROM generate_series(1, 25) g;
CREATE TABLE public.parts (id int PRIMARY KEY, name text);
INSERT INTO public.parts SELECT g, 'part ' || g FROM generate_series(1, 10) g;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.stock_items, public.parts TO ip_app, alice, bob;

-- a shipped catalogue model bound to a table, then both tables protected
SELECT inventree_perms.register_model('stock_stockitem', 'public.stock_items');
SELECT inventree_perms.protect('public.stock_items', 'stock_stockitem');
SELECT inventree_perms.protect('public.parts');
SELECT inventree_perms.register_model('widget', NULL, 'Widgets', false);
SELECT inventree_perms.register_model('gadget.v2');
SELECT inventree_perms.register_model('lounge', NULL, 'open to every active user', true);
SELECT inventree_perms.register_model('scratch');

SELECT inventree_perms.create_user(u) FROM unnest(ARRAY['alice', 'bob', 'p.kowalski@example.com',
	'Zoë Ünicode', 'AliceW', 'alicew', 'ip_admin', 'temp']) u;
SELECT inventree_perms.create_user('root su', true);
SELECT inventree_perms.create_user('ghost', true, false);
SELECT inventree_perms.create_user('sleepy', false, false);
SELECT inventree_perms.create_group(g) FROM unnest(ARRAY['Sales Team', 'stock keepers', 'Admins', 'empty']) g;
SELECT inventree_perms.add_user_to_group('alice', 'Sales Team');
SELECT inventree_perms.add_user_to_group('bob', 'stock keepers');
SELECT inventree_perms.add_user_to_group('p.kowalski@example.com', 'Sales Team');
SELECT inventree_perms.add_user_to_group('p.kowalski@example.com', 'stock keepers');
SELECT inventree_perms.add_user_to_group('Zoë Ünicode', 'Admins');
SELECT inventree_perms.add_user_to_group('sleepy', 'Admins');
SELECT inventree_perms.add_user_to_group('temp', 'Admins');
SELECT inventree_perms.add_user_to_group('root su', 'empty');

SELECT inventree_perms.grant_user_perm('alice', 'widget', 'view');
SELECT inventree_perms.grant_user_perm('alice', 'stock_stockitem', 'view');
SELECT inventree_perms.grant_user_perm('bob', 'widget', 'all');
SELECT inventree_perms.revoke_user_perm('bob', 'widget', 'delete');
SELECT inventree_perms.grant_user_perm('AliceW', 'parts', 'EDIT');
SELECT inventree_perms.grant_user_perm('sleepy', 'widget', 'all');
SELECT inventree_perms.grant_user_perm('ip_admin', 'user', 'change');
SELECT inventree_perms.grant_user_perm('temp', 'scratch', 'all');
SELECT inventree_perms.grant_group_perm('Sales Team', 'parts', 'view');
SELECT inventree_perms.grant_group_perm('stock keepers', 'gadget.v2', 'add');
SELECT inventree_perms.grant_group_perm('Admins', 'group', 'all');
SELECT inventree_perms.revoke_group_perm('Admins', 'group', 'delete');

SELECT inventree_perms.grant_group_role('stock keepers', 'stock', 'change');
SELECT inventree_perms.grant_group_role('Sales Team', 'sales_order', 'add');
SELECT inventree_perms.grant_group_role('Admins', 'admin', 'delete');
SELECT inventree_perms.revoke_group_role('Admins', 'admin', 'change');
SELECT inventree_perms.create_role('widgets', 'Widget makers');
SELECT inventree_perms.add_model_to_role('widgets', 'widget');
SELECT inventree_perms.add_model_to_role('widgets', 'gadget.v2');
SELECT inventree_perms.add_model_to_role('widgets', 'scratch');
SELECT inventree_perms.remove_model_from_role('widgets', 'scratch');
SELECT inventree_perms.grant_group_role('Sales Team', 'widgets', 'delete');

SELECT inventree_perms.add_delegate('ip_app');
-- rows made by the administrator ip_admin (acting user, not a PG superuser)
SET ROLE ip_app;
SELECT inventree_perms.set_acting_user('ip_admin', false);
SELECT inventree_perms.create_user('made by ip_admin');
SELECT inventree_perms.grant_user_perm('made by ip_admin', 'lounge', 'view');
RESET ROLE;
SELECT inventree_perms.drop_user('temp');
SELECT inventree_perms.unregister_model('scratch');

-- catalogue rows removed (CREATE EXTENSION loads them: a restore must not
-- bring them back), and one removed then registered again by hand
SELECT inventree_perms.unregister_model('report_reportasset');
SELECT inventree_perms.remove_model_from_role('stock', 'stock_stockitemtracking');
SELECT inventree_perms.drop_role('transfer_order');
SELECT inventree_perms.unregister_model('report_reportsnippet');
SELECT inventree_perms.register_model('report_reportsnippet', NULL, 'registered again by hand');
SQL
}

# snapshot PORT DB OUT [COLS] (fails if a query fails): write to OUT every row of every extension
# table and every answer the extension gives about it.  COLS (optional) is a
# file "table|col,col,..." of the columns to compare: made from the database
# when missing, so a later call (after an upgrade that adds columns) compares
# the columns that existed first.
snapshot() {
	local port=$1 db=$2 out=$3 cols=${4:-}
	if [ -z "$cols" ]; then cols="$out.cols"; fi
	if [ ! -s "$cols" ]; then
		q "$port" "$db" "
			SELECT c.relname || '|' || string_agg(quote_ident(a.attname), ',' ORDER BY a.attnum)
			FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
			WHERE c.relnamespace = 'inventree_perms'::regnamespace AND c.relkind = 'r'
			GROUP BY c.relname ORDER BY c.relname" >"$cols"
	fi
	: >"$out"
	local line tab collist rc=0
	while IFS= read -r line; do
		tab=${line%%|*}
		collist=${line#*|}
		echo "== table $tab" >>"$out"
		q "$port" "$db" "SELECT t::text FROM (SELECT $collist FROM inventree_perms.$tab) t ORDER BY 1" >>"$out" || rc=1
	done <"$cols"
	q "$port" "$db" - >>"$out" <<'SQL' || rc=1
\echo == user_permissions
SELECT u.name || ' | ' || p.model || ' | ' || p.action || ' | ' || p.via
FROM inventree_perms.users u, LATERAL inventree_perms.user_permissions(u.name) p
ORDER BY 1;
\echo == has_model_perm (users x models x actions)
SELECT u || ' | ' || m.name || ' | ' || a || ' | ' || inventree_perms.has_model_perm(u, m.name, a)
FROM (SELECT name AS u FROM inventree_perms.users UNION ALL VALUES ('nobody'), ('ALICE')) us,
     inventree_perms.models m,
     unnest(ARRAY['view', 'add', 'change', 'delete', 'EDIT']) a
ORDER BY 1;
\echo == has_role_perm (users x roles x actions)
SELECT u || ' | ' || r.name || ' | ' || a || ' | ' || inventree_perms.has_role_perm(u, r.name, a)
FROM (SELECT name AS u FROM inventree_perms.users UNION ALL VALUES ('nobody')) us,
     inventree_perms.roles r,
     unnest(ARRAY['view', 'add', 'change', 'delete']) a
ORDER BY 1;
\echo == protected tables: RLS and policies
SELECT c.relname || ' rls=' || c.relrowsecurity || ' force=' || c.relforcerowsecurity
FROM pg_class c WHERE c.relname IN ('stock_items', 'parts') AND c.relnamespace = 'public'::regnamespace
ORDER BY 1;
-- (1.1's one admit-all policy FOR ALL is listed as the four per-command ones
-- that 1.2 makes of it: they admit the same rows)
SELECT polrelid::regclass || ' ' || x.n || ' ' || x.c || ' ' || polpermissive || ' ' || x.u || ' ' || x.w
FROM pg_policy, LATERAL (
	SELECT polname::text, polcmd::text, coalesce(pg_get_expr(polqual, polrelid), '-'),
		   coalesce(pg_get_expr(polwithcheck, polrelid), '-')
	WHERE polname <> 'inventree_perms_permissive'
	UNION ALL
	SELECT * FROM (VALUES ('inventree_perms_permissive_delete', 'd', 'true', '-'),
						  ('inventree_perms_permissive_insert', 'a', '-', 'true'),
						  ('inventree_perms_permissive_select', 'r', 'true', '-'),
						  ('inventree_perms_permissive_update', 'w', 'true', 'true')) v
	WHERE polname = 'inventree_perms_permissive') x(n, c, u, w)
WHERE polrelid IN ('public.stock_items'::regclass, 'public.parts'::regclass)
ORDER BY 1;
\echo == rows each user sees through RLS (as delegate ip_app) and my_permissions
SQL
	# per user, in its own statements (the acting user is per statement)
	local u
	while IFS= read -r u; do
		q "$port" "$db" - >>"$out" <<SQL
SET ROLE ip_app;
SELECT inventree_perms.set_acting_user(\$u\$$u\$u\$, false);
SELECT \$u\$$u\$u\$ || ' sees stock_items=' || (SELECT count(*) FROM public.stock_items)
	|| ' parts=' || (SELECT count(*) FROM public.parts);
SELECT \$u\$$u\$u\$ || ' ' || m::text FROM inventree_perms.my_permissions m
	WHERE m.can_view OR m.can_add OR m.can_change OR m.can_delete ORDER BY 1;
SQL
		[ $? -eq 0 ] || rc=1
	done < <(q "$port" "$db" "SELECT name FROM inventree_perms.users ORDER BY name")
	return $rc
}
