-- django_import.sql -- SPEC "Interop with a Django / InvenTree database":
-- import_django() against a Django / InvenTree site in its real layout
-- (django_site.inc).  The expectations are computed here, in SQL, from the
-- Django tables and InvenTree's rules (check_user_role, the table check of
-- RuleSet), never from the extension's tables.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(56);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;
\ir django_site.inc

-- InvenTree's RULESET_MODELS and RULESET_IGNORE, as the project ships them.
CREATE TEMP TABLE exp_role_models (role text, model text);
\copy exp_role_models FROM 'data/inventree_roles.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE exp_open (model text, note text);
\copy exp_open FROM 'data/inventree_open_models.csv' WITH (FORMAT csv, HEADER true)

-- InvenTree's check_user_role(user, role, permission), from the Django tables
-- (the SPEC: inactive users, superusers included, hold nothing).
CREATE TEMP VIEW exp_role AS
SELECT u.username::text AS username, r.role, a.action,
	   u.is_active AND (u.is_superuser OR EXISTS (
		   SELECT 1 FROM dj_site.auth_user_groups ug
		   JOIN dj_site.users_ruleset rs ON rs.group_id = ug.group_id
		   WHERE ug.user_id = u.id AND rs.name = r.role
			 AND CASE a.action WHEN 'view' THEN rs.can_view WHEN 'add' THEN rs.can_add
							   WHEN 'change' THEN rs.can_change ELSE rs.can_delete END)) AS expected
FROM dj_site.auth_user u,
	 (SELECT DISTINCT role FROM exp_role_models) r,
	 unnest('{view,add,change,delete}'::text[]) a(action);

-- Django's user.has_perm('<app>.<action>_<model>'): direct or through a group.
CREATE TEMP VIEW exp_django_perm AS
SELECT up.user_id, ct.app_label || '_' || ct.model AS tbl, p.codename, ct.model
FROM dj_site.auth_user_user_permissions up
JOIN dj_site.auth_permission p ON p.id = up.permission_id
JOIN dj_site.django_content_type ct ON ct.id = p.content_type_id
UNION
SELECT ug.user_id, ct.app_label || '_' || ct.model, p.codename, ct.model
FROM dj_site.auth_user_groups ug
JOIN dj_site.auth_group_permissions gp ON gp.group_id = ug.group_id
JOIN dj_site.auth_permission p ON p.id = gp.permission_id
JOIN dj_site.django_content_type ct ON ct.id = p.content_type_id;

-- InvenTree's table check: ignore list open, roles OR'd, Django as fallback.
CREATE TEMP TABLE sample_tables (tbl text);
INSERT INTO sample_tables VALUES
	('part_part'), ('part_partcategory'), ('part_bomitem'), ('stock_stockitem'),
	('stock_stocklocation'), ('company_company'), ('company_supplierpart'), ('build_build'),
	('order_purchaseorder'), ('order_salesorder'), ('order_returnorder'), ('order_transferorder'),
	('auth_user'), ('users_ruleset'), ('plugin_pluginconfig'),
	('common_inventreesetting'), ('users_owner'), ('sessions_session'), ('report_labeloutput');
CREATE TEMP VIEW exp_table AS
SELECT u.username::text AS username, t.tbl, a.action,
	   u.is_active AND (u.is_superuser
		   OR t.tbl IN (SELECT model FROM exp_open)
		   OR EXISTS (SELECT 1 FROM exp_role_models rm JOIN exp_role er ON er.role = rm.role
					  WHERE rm.model = t.tbl AND er.username = u.username
						AND er.action = a.action AND er.expected)
		   OR EXISTS (SELECT 1 FROM exp_django_perm dp
					  WHERE dp.user_id = u.id AND dp.tbl = t.tbl
						AND dp.codename = a.action || '_' || dp.model)) AS expected
FROM dj_site.auth_user u, sample_tables t, unnest('{view,add,change,delete}'::text[]) a(action);

CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql AS $$
	SELECT md5(concat_ws('|',
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.users t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.groups t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.memberships t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.models t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.user_perms t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.group_perms t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.group_roles t),
		(SELECT string_agg(t::text, ',' ORDER BY t.id) FROM inventree_perms.audit_log t)));
$$;
CREATE FUNCTION pg_temp.audit_rows() RETURNS bigint
LANGUAGE sql AS $$ SELECT count(*) FROM inventree_perms.audit_log $$;
CREATE TEMP TABLE result1 AS SELECT * FROM inventree_perms.import_django('dj_site') LIMIT 0;

-- 1. The expectations are not trivial --------------------------------------
SELECT is((SELECT count(*) FROM exp_role), 9 * 10 * 4::bigint, 'role matrix: 9 users x 10 roles x 4 actions');
SELECT ok((SELECT count(*) FILTER (WHERE expected) BETWEEN 60 AND 300 FROM exp_role),
		  'role matrix: both answers occur');
SELECT ok((SELECT count(*) FILTER (WHERE expected) BETWEEN 100 AND 600 FROM exp_table),
		  'table matrix: both answers occur');
SELECT ok((SELECT count(*) FROM exp_table e
		   WHERE e.tbl <> 'report_labeloutput'		-- not registered yet
			 AND inventree_perms.has_model_perm(e.username, e.tbl, e.action) IS DISTINCT FROM e.expected) > 0,
		  'before the import the extension does not answer like InvenTree');

-- 2. The first import ------------------------------------------------------
SELECT lives_ok($$INSERT INTO result1 SELECT * FROM inventree_perms.import_django('dj_site')$$,
				'import_django(dj_site)');
SELECT results_eq($$SELECT what, count FROM result1 WHERE what !~ ':' ORDER BY what$$,
	$$VALUES ('group_perms', 3::bigint), ('groups', 5), ('memberships', 8), ('models', 1),
			 ('removed', 0), ('role_flags', 23), ('user_perms', 4), ('users', 9)$$,
	'first import: what it added');
SELECT set_eq($$SELECT what, count FROM result1 WHERE what ~ ':'$$,
	$$VALUES ('custom_codename:part.change_pricing', 1::bigint),
			 ('custom_codename:order.receive_purchaseorder', 1),
			 ('unknown_role:future_role', 1)$$,
	'custom codenames and unknown roles are reported, not guessed');
SELECT is((SELECT count(*) FROM inventree_perms.audit_log
		   WHERE operation = 'import_django' AND target = 'dj_site'
			 AND detail = '{"users": 9, "groups": 5, "models": 1, "removed": 0, "role_flags": 23,
						   "user_perms": 4, "group_perms": 3, "memberships": 8}'::jsonb), 1::bigint,
		  'one audit row with the counts');
SELECT set_eq($$SELECT name, is_superuser, is_active FROM inventree_perms.users WHERE source = 'dj_site'$$,
			  $$SELECT username::text, is_superuser, is_active FROM dj_site.auth_user$$,
			  'users: every Django user, superuser and active flags as Django has them');
SELECT set_eq($$SELECT name FROM inventree_perms.groups WHERE source = 'dj_site'$$,
			  $$SELECT name::text FROM dj_site.auth_group$$, 'groups: every Django group (spaces included)');
SELECT set_eq($$SELECT username, groupname FROM inventree_perms.memberships WHERE source = 'dj_site'$$,
			  $$SELECT u.username::text, g.name::text FROM dj_site.auth_user_groups ug
				JOIN dj_site.auth_user u ON u.id = ug.user_id JOIN dj_site.auth_group g ON g.id = ug.group_id$$,
			  'memberships: every Django membership');
SELECT is_empty($$SELECT app_label || '_' || model FROM dj_site.django_content_type
				 EXCEPT SELECT name FROM inventree_perms.models$$,
				'models: every content type is a model <app_label>_<model>');
SELECT is((SELECT source FROM inventree_perms.models WHERE name = 'report_labeloutput'), 'dj_site',
		  'a model the import registered carries the source');
SELECT ok((SELECT shipped AND is_open AND source IS NULL FROM inventree_perms.models
		   WHERE name = 'common_inventreesetting'),
		  'a catalogue model that is also a content type keeps its catalogue row (open, shipped)');
SELECT set_eq($$SELECT username, model, action FROM inventree_perms.user_perms WHERE source = 'dj_site'$$,
			  $$VALUES ('carol', 'build_build', 'view'), ('carol', 'build_build', 'change'),
					   ('carol', 'report_labeloutput', 'view'), ('dave', 'stock_stockitem', 'view')$$,
			  'user_perms: default codenames only (change_pricing is not "change")');
SELECT is((SELECT count(*) FROM inventree_perms.users u JOIN inventree_perms.memberships m ON m.username = u.name
		   WHERE u.source IS DISTINCT FROM 'dj_site' OR m.source IS DISTINCT FROM 'dj_site'), 0::bigint,
		  'every row it made carries the source');

-- 3. The extension now answers as InvenTree does ----------------------------
SELECT is_empty($$SELECT e.* FROM exp_role e
				 WHERE inventree_perms.has_role_perm(e.username, e.role, e.action) IS DISTINCT FROM e.expected$$,
				'has_role_perm = check_user_role for every user x role x action');
SELECT is_empty($$SELECT e.* FROM exp_table e
				 WHERE inventree_perms.has_model_perm(e.username, e.tbl, e.action) IS DISTINCT FROM e.expected$$,
				'has_model_perm = InvenTree''s table check for every user x sample table x action');
-- A few of those answers, spelled out.
SELECT ok(inventree_perms.has_role_perm('alice', 'stock', 'add'), 'alice (Stock Team) may add stock');
SELECT ok(NOT inventree_perms.has_role_perm('alice', 'stock', 'delete'), 'alice may not delete stock');
SELECT ok(inventree_perms.has_model_perm('bob', 'company_company', 'delete'),
		  'bob: company_company delete through purchase_order (one of three roles covering it)');
SELECT ok(NOT inventree_perms.has_model_perm('p.kowalski@example.com', 'company_company', 'delete'),
		  'p.kowalski: sales_order and return_order do not give delete');
SELECT ok(NOT inventree_perms.has_model_perm('olduser', 'common_inventreesetting', 'view')
		  AND NOT inventree_perms.has_role_perm('olduser', 'part', 'view'),
		  'inactive superuser olduser: nothing, not even open models');
SELECT ok(NOT inventree_perms.has_model_perm('dave', 'stock_stockitem', 'view'),
		  'inactive dave: nothing, despite a group and a direct permission');
SELECT ok(inventree_perms.has_model_perm('carol', 'report_labeloutput', 'view')
		  AND NOT inventree_perms.has_model_perm('carol', 'report_labeloutput', 'change'),
		  'carol: a table in no role, by her Django permission only');
SELECT ok(inventree_perms.has_model_perm('frank', 'stock_stockitem', 'view')
		  AND NOT inventree_perms.has_role_perm('frank', 'stock', 'view'),
		  'frank: a Django group permission, no role flag');
SELECT ok(inventree_perms.has_model_perm('admin', 'report_labeloutput', 'delete'), 'admin: superuser');

-- 4. A second import changes nothing, even without the password column -------
ALTER TABLE dj_site.auth_user DROP COLUMN password;
SELECT pg_temp.state() AS s0 \gset
SELECT results_eq($$SELECT count FROM inventree_perms.import_django('dj_site') WHERE what !~ ':'$$,
				  $$VALUES (0::bigint), (0), (0), (0), (0), (0), (0), (0)$$,
				  'second import: every count 0 (auth_user has no password column: it is never read)');
SELECT is(pg_temp.state(), :'s0', 'second import: no row changed, no audit row');

-- 5. Changes on the Django side, removals included --------------------------
INSERT INTO inventree_perms.users (name) VALUES ('handmade');		-- rows made by hand
SELECT inventree_perms.create_group('Hand Group');
SELECT inventree_perms.add_user_to_group('alice', 'Hand Group');
SELECT inventree_perms.grant_group_perm('Readers', 'part_part', 'view');
SELECT inventree_perms.grant_user_perm('handmade', 'stock_stockitem', 'view');
SELECT inventree_perms.grant_group_role('Hand Group', 'build', 'view');
SELECT inventree_perms.create_user('gina');			-- a hand-made user Django also has
SELECT inventree_perms.create_group('Auditors');	-- a hand-made group Django also has
INSERT INTO dj_site.auth_user (is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
VALUES (true, 'gina', 'G', 'G', 'g@example.com', true, true, now());
INSERT INTO dj_site.auth_group (name) VALUES ('Auditors');
INSERT INTO dj_site.auth_user_groups (user_id, group_id)
SELECT u.id, g.id FROM dj_site.auth_user u, dj_site.auth_group g
WHERE (u.username, g.name) IN (('gina', 'Purchasing'), ('carol', 'Auditors'));
INSERT INTO dj_site.users_ruleset (name, can_view, can_add, can_change, can_delete, group_id)
SELECT 'stock', true, false, false, false, id FROM dj_site.auth_group WHERE name = 'Auditors';
-- frank leaves, Sales Team is dissolved, a ruleset flag goes, alice is deactivated,
-- carol loses a permission, the report app is uninstalled.
DELETE FROM dj_site.auth_user_groups WHERE user_id = (SELECT id FROM dj_site.auth_user WHERE username = 'frank');
DELETE FROM dj_site.auth_user WHERE username = 'frank';
DELETE FROM dj_site.auth_user_groups WHERE group_id = (SELECT id FROM dj_site.auth_group WHERE name = 'Sales Team');
DELETE FROM dj_site.auth_group WHERE name = 'Sales Team';
UPDATE dj_site.users_ruleset SET can_add = false
 WHERE name = 'purchase_order' AND group_id = (SELECT id FROM dj_site.auth_group WHERE name = 'Purchasing');
UPDATE dj_site.auth_user SET is_active = false WHERE username = 'alice';
DELETE FROM dj_site.auth_user_user_permissions
 WHERE permission_id = (SELECT p.id FROM dj_site.auth_permission p WHERE p.codename = 'change_build');
DELETE FROM dj_site.auth_user_user_permissions
 WHERE permission_id IN (SELECT p.id FROM dj_site.auth_permission p JOIN dj_site.django_content_type ct
						 ON ct.id = p.content_type_id WHERE ct.app_label = 'report');
DELETE FROM dj_site.auth_permission
 WHERE content_type_id = (SELECT id FROM dj_site.django_content_type WHERE app_label = 'report');
DELETE FROM dj_site.django_content_type WHERE app_label = 'report';

DELETE FROM result1;
SELECT lives_ok($$INSERT INTO result1 SELECT * FROM inventree_perms.import_django('dj_site')$$,
				'import after the changes');
SELECT set_eq($$SELECT what, count FROM result1 WHERE what ~ '^(conflict|removed|users$)'$$,
	$$VALUES ('conflict_user:gina', 1::bigint), ('conflict_group:Auditors', 1),
			 ('users', 1), ('removed', 5)$$,
	'reports the hand-made names it skipped; 1 user changed; 5 rows removed (frank, Sales Team, a flag, a grant, a model; what hangs on them goes with them)');
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.users WHERE name = 'frank'), 'a user deleted in Django is gone');
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.groups WHERE name = 'Sales Team')
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.memberships WHERE groupname = 'Sales Team'),
		  'a group deleted in Django is gone, with its memberships');
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.models WHERE name = 'report_labeloutput'),
		  'a model whose content type is gone is unregistered');
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.group_roles
					  WHERE groupname = 'Purchasing' AND role = 'purchase_order' AND action = 'add'),
		  'a ruleset flag cleared in Django is cleared');
SELECT ok(NOT inventree_perms.has_model_perm('carol', 'build_build', 'change')
		  AND inventree_perms.has_model_perm('carol', 'build_build', 'view'),
		  'a Django permission taken away is taken away, the other stays');
SELECT is((SELECT row(is_superuser, is_active, source)::text FROM inventree_perms.users WHERE name = 'gina'),
		  '(f,t,)', 'hand-made user gina with a Django namesake: left as it was');
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.memberships WHERE username = 'gina')
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.group_roles WHERE groupname = 'Auditors'),
		  '... and nothing of the Django namesakes is attached to hand-made gina or Auditors');
SELECT is((SELECT count(*) FROM (
			SELECT 1 FROM inventree_perms.users WHERE name = 'handmade' AND source IS NULL
			UNION ALL SELECT 1 FROM inventree_perms.memberships
					  WHERE (username, groupname) = ('alice', 'Hand Group') AND source IS NULL
			UNION ALL SELECT 1 FROM inventree_perms.group_perms
					  WHERE (groupname, model, action) = ('Readers', 'part_part', 'view') AND source IS NULL
			UNION ALL SELECT 1 FROM inventree_perms.user_perms WHERE username = 'handmade'
			UNION ALL SELECT 1 FROM inventree_perms.group_roles WHERE groupname = 'Hand Group') x), 5::bigint,
		  'hand-made users, memberships, grants and role flags survive');
-- Still InvenTree's answers (gina and the hand-made rows set aside).
DELETE FROM dj_site.auth_user_groups WHERE user_id = (SELECT id FROM dj_site.auth_user WHERE username = 'gina')
	OR group_id = (SELECT id FROM dj_site.auth_group WHERE name = 'Auditors');
DELETE FROM dj_site.auth_user WHERE username = 'gina';
SELECT inventree_perms.drop_group('Hand Group');
SELECT inventree_perms.revoke_group_perm('Readers', 'part_part', 'view');
SELECT is_empty($$SELECT e.* FROM exp_role e
				 WHERE inventree_perms.has_role_perm(e.username, e.role, e.action) IS DISTINCT FROM e.expected$$,
				'after the changes: has_role_perm = check_user_role');
SELECT is_empty($$SELECT e.* FROM exp_table e WHERE e.tbl <> 'report_labeloutput'
				   AND inventree_perms.has_model_perm(e.username, e.tbl, e.action) IS DISTINCT FROM e.expected$$,
				'after the changes: has_model_perm = InvenTree''s table check');

-- 6. Who may import ----------------------------------------------------------
-- The SPEC: an administrator who is, or is a member of, the role owning the
-- Django tables, or a PostgreSQL superuser.  (1.1 asked for SELECT on the
-- columns read instead; the tables are now read as their owner.)
SET CONSTRAINTS ALL IMMEDIATE;	-- no pending foreign-key events for ALTER TABLE
CREATE ROLE dj_owner;			-- the role Django connects as: owns the tables
CREATE ROLE dj_nobody;
CREATE ROLE dj_uadmin;			-- an administrator (change on user), not a superuser
CREATE ROLE dj_super;			-- a superuser of the extension
CREATE ROLE dj_outsider;		-- an administrator, not a member of the owner
SELECT format('ALTER TABLE %s OWNER TO dj_owner', c.oid::regclass)
FROM pg_class c WHERE c.relnamespace = 'dj_site'::regnamespace AND c.relkind = 'r' \gexec
GRANT dj_owner TO dj_nobody, dj_uadmin, dj_super;
SELECT inventree_perms.create_user('dj_uadmin');
SELECT inventree_perms.grant_user_perm('dj_uadmin', 'user', 'change');
SELECT inventree_perms.create_user('dj_outsider');
SELECT inventree_perms.grant_user_perm('dj_outsider', 'user', 'change');
SELECT inventree_perms.create_user('dj_super', true);
GRANT USAGE ON SCHEMA dj_site TO dj_owner, dj_outsider;
GRANT SELECT ON ALL TABLES IN SCHEMA dj_site TO dj_outsider;
SET ROLE dj_nobody;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42501', NULL,
				 'not an administrator (though a member of the owner): 42501');
RESET ROLE;
SET ROLE dj_owner;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42501', NULL,
				 'the owner of the Django tables, no administrator: 42501');
RESET ROLE;
UPDATE dj_site.auth_user SET is_active = true WHERE username = 'alice';
SELECT count(*) AS a0 FROM inventree_perms.audit_log \gset
SET ROLE dj_outsider;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42501', NULL,
				 'an administrator who may read every table but is no member of the owner: 42501');
RESET ROLE;
SELECT ok(NOT inventree_perms.has_role_perm('alice', 'stock', 'view')
		  AND (SELECT count(*) FROM inventree_perms.audit_log) = :a0,
		  '... and the refusal changed nothing');
SET ROLE dj_uadmin;
SELECT lives_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$,
				'an administrator who is a member of the owner may import changes to ordinary users');
SELECT ok(inventree_perms.has_role_perm('alice', 'stock', 'view'), '... alice is active again');
RESET ROLE;
UPDATE dj_site.auth_user SET is_superuser = true WHERE username = 'alice';
SET ROLE dj_uadmin;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42501', NULL,
				 'an administrator who is no superuser may not import a new superuser');
RESET ROLE;
UPDATE dj_site.auth_user SET is_superuser = false WHERE username = 'alice';
UPDATE dj_site.auth_user SET is_active = false WHERE username = 'admin';
SET ROLE dj_uadmin;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42501', NULL,
				 '... nor deactivate a superuser');
RESET ROLE;
DELETE FROM dj_site.auth_user_groups
WHERE user_id = (SELECT id FROM dj_site.auth_user WHERE username = 'olduser');
DELETE FROM dj_site.auth_user WHERE username = 'olduser';
SET ROLE dj_uadmin;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42501', NULL,
				 '... nor remove one');
RESET ROLE;
SET ROLE dj_super;
SELECT lives_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$,
				'a superuser of the extension who is a member of the owner may import');
RESET ROLE;
REVOKE SELECT ON dj_site.auth_group FROM dj_owner;
SET ROLE dj_super;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_site')$$, '42501', NULL,
				 'a Django table its owner may not read: 42501 (the tables are read with the owner''s rights)');
RESET ROLE;

-- 7. What it refuses to read ------------------------------------------------
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django(NULL)$$, '22004', NULL, 'NULL schema: 22004');
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_nowhere')$$, '3F000', NULL,
				 'a schema that does not exist: 3F000');
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django()$$, '42P01', NULL,
				 'default schema public without Django tables: 42P01');
CREATE SCHEMA dj_views;
CREATE TABLE dj_views.base (id int, username text, is_superuser boolean, is_active boolean);
CREATE VIEW dj_views.auth_user AS SELECT * FROM dj_views.base;
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('dj_views')$$, '42809', NULL,
				 'a view named auth_user is not read (it could run its owner''s code): 42809');

SELECT * FROM finish();
ROLLBACK;
