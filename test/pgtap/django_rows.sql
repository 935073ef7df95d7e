-- django_rows.sql -- SPEC "Interop with a Django / InvenTree database": a
-- linked change costs what it changes, for every linked table.  A user, a
-- group, a content type and a permission made, changed or removed in Django
-- is applied row by row (no re-import: every audit row of the link is a
-- delta), each as the import decides it (identity by primary key, renames,
-- names taken by hand-made rows, models registered and removed with their
-- content types, grants following what a permission means); a TRUNCATE
-- re-imports.  _django_read_by() reads the rows of one key, by index or not.
-- Runs as a PostgreSQL superuser; rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(37);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;
\ir django_site.inc
SET CONSTRAINTS ALL IMMEDIATE;
SELECT inventree_perms.link_django('dj_site');
SELECT max(id) AS a0 FROM inventree_perms.audit_log \gset
CREATE FUNCTION pg_temp.reimports() RETURNS bigint
LANGUAGE sql AS $$ SELECT count(*) FROM inventree_perms.audit_log
				   WHERE id > current_setting('dj.a0')::bigint AND operation = 'import_django'
					 AND NOT (detail ? 'delta') $$;
SELECT set_config('dj.a0', :'a0', true);
CREATE FUNCTION pg_temp.uid(name text) RETURNS integer
LANGUAGE sql AS $$ SELECT id FROM dj_site.auth_user WHERE username = name $$;
CREATE FUNCTION pg_temp.gid(name text) RETURNS integer
LANGUAGE sql AS $$ SELECT id FROM dj_site.auth_group WHERE auth_group.name = gid.name $$;
CREATE FUNCTION pg_temp.pid(app text, code text) RETURNS integer
LANGUAGE sql AS $$ SELECT p.id FROM dj_site.auth_permission p
				   JOIN dj_site.django_content_type ct ON ct.id = p.content_type_id
				   WHERE ct.app_label = app AND p.codename = code $$;
CREATE FUNCTION pg_temp.new_user(name text) RETURNS void
LANGUAGE sql AS $$ INSERT INTO dj_site.auth_user (password, is_superuser, username, first_name, last_name,
												  email, is_staff, is_active, date_joined)
				   VALUES ('pbkdf2_sha256$secret', false, name, '', '', '', false, true, now()) $$;

-- 1. Users -----------------------------------------------------------------
SELECT pg_temp.new_user('grace');
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.users WHERE name = 'grace' AND is_active AND NOT is_superuser
				  AND source = 'dj_site' AND django_id = pg_temp.uid('grace')),
		  'a user made in Django: made here, with its Django id');
UPDATE dj_site.auth_user SET username = 'grace.h' WHERE username = 'grace';
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.users WHERE name = 'grace.h' AND django_id = pg_temp.uid('grace.h'))
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.users WHERE name = 'grace'),
		  'a user renamed in Django: renamed here');
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.audit_log WHERE id > :a0 AND operation = 'rename_user'
				  AND detail->>'from' = 'grace' AND detail->>'to' = 'grace.h'),
		  '... one audit row says from what to what');
UPDATE dj_site.auth_user SET is_active = false, is_superuser = true WHERE username = 'grace.h';
SELECT ok((SELECT NOT is_active AND is_superuser FROM inventree_perms.users WHERE name = 'grace.h'),
		  'its flags changed in Django: changed here');
SELECT count(*) AS a1 FROM inventree_perms.audit_log \gset
UPDATE dj_site.auth_user SET last_login = now() WHERE username = 'grace.h';
SELECT is((SELECT count(*) FROM inventree_perms.audit_log), :a1::bigint,
		  'a login (last_login) changes nothing and writes no audit row');
INSERT INTO dj_site.auth_user_groups (user_id, group_id) VALUES (pg_temp.uid('grace.h'), pg_temp.gid('Readers'));
DELETE FROM dj_site.auth_user_groups WHERE user_id = pg_temp.uid('grace.h');
DELETE FROM dj_site.auth_user WHERE username = 'grace.h';
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.users WHERE name = 'grace.h'),
		  'a user deleted in Django: removed here');
UPDATE dj_site.auth_user SET username = E'bad\tname' WHERE username = 'frank';
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.users WHERE source = 'dj_site' AND django_id = pg_temp.uid(E'bad\tname')),
		  'a user renamed to a name the SPEC refuses: removed here, as the import would');
UPDATE dj_site.auth_user SET username = 'frank' WHERE username = E'bad\tname';
SELECT ok(inventree_perms.has_model_perm('frank', 'company_company', 'view'),
		  '... renamed back: made again, with the memberships Django holds for it');

-- A Django user whose name a hand-made user holds: skipped, then made with
-- what Django holds for it once it is renamed.
SELECT inventree_perms.create_user('heidi');
SELECT pg_temp.new_user('heidi');
INSERT INTO dj_site.auth_user_groups (user_id, group_id) VALUES (pg_temp.uid('heidi'), pg_temp.gid('Readers'));
INSERT INTO dj_site.auth_user_user_permissions (user_id, permission_id)
VALUES (pg_temp.uid('heidi'), pg_temp.pid('build', 'add_build'));
SELECT ok((SELECT source IS NULL AND django_id IS NULL FROM inventree_perms.users WHERE name = 'heidi')
		  AND NOT inventree_perms.has_model_perm('heidi', 'build_build', 'add'),
		  'a Django user whose name a hand-made user holds: skipped, the hand-made user untouched');
UPDATE dj_site.auth_user SET username = 'heidi.k' WHERE username = 'heidi';
SELECT ok(inventree_perms.has_model_perm('heidi.k', 'build_build', 'add')
		  AND inventree_perms.has_model_perm('heidi.k', 'stock_stockitem', 'view'),
		  '... renamed in Django to a free name: made, with its permissions and memberships');
SELECT ok(NOT inventree_perms.has_model_perm('heidi', 'build_build', 'add'), '... the hand-made heidi still has none');

-- A bulk statement: every row.
UPDATE dj_site.auth_user SET is_active = false WHERE username IN ('alice', 'bob', 'carol');
SELECT is((SELECT count(*) FROM inventree_perms.users WHERE name IN ('alice', 'bob', 'carol') AND NOT is_active),
		  3::bigint, 'a bulk update of users: every row applied');
UPDATE dj_site.auth_user SET is_active = true WHERE username IN ('alice', 'bob', 'carol');

-- 2. Groups ----------------------------------------------------------------
INSERT INTO dj_site.auth_group (name) VALUES ('Auditors');
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.groups WHERE name = 'Auditors' AND django_id = pg_temp.gid('Auditors')),
		  'a group made in Django: made here');
INSERT INTO dj_site.auth_user_groups (user_id, group_id) VALUES (pg_temp.uid('carol'), pg_temp.gid('Auditors'));
INSERT INTO dj_site.auth_group_permissions (group_id, permission_id)
VALUES (pg_temp.gid('Auditors'), pg_temp.pid('order', 'view_salesorder'));
UPDATE dj_site.auth_group SET name = 'Audit' WHERE name = 'Auditors';
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.memberships WHERE username = 'carol' AND groupname = 'Audit')
		  AND inventree_perms.has_model_perm('carol', 'order_salesorder', 'view'),
		  'a group renamed in Django: renamed here, its members and grants stay');
SELECT inventree_perms.create_group('Keepers');
UPDATE dj_site.auth_group SET name = 'Keepers' WHERE name = 'Audit';
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.groups WHERE name = 'Audit' AND source = 'dj_site')
		  AND (SELECT source IS NULL FROM inventree_perms.groups WHERE name = 'Keepers'),
		  'a group renamed to a hand-made group''s name: not renamed, the hand-made one untouched');
UPDATE dj_site.auth_group SET name = 'Audit' WHERE name = 'Keepers';
DELETE FROM dj_site.auth_group_permissions WHERE group_id = pg_temp.gid('Audit');
DELETE FROM dj_site.auth_user_groups WHERE group_id = pg_temp.gid('Audit');
DELETE FROM dj_site.auth_group WHERE name = 'Audit';
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.groups WHERE name = 'Audit')
		  AND NOT inventree_perms.has_model_perm('carol', 'order_salesorder', 'view'),
		  'a group deleted in Django: removed here');

-- 3. Permissions -----------------------------------------------------------
UPDATE dj_site.auth_permission SET codename = 'close_build' WHERE codename = 'change_build';
SELECT ok(NOT inventree_perms.has_model_perm('carol', 'build_build', 'change')
		  AND inventree_perms.has_model_perm('carol', 'build_build', 'view'),
		  'a permission whose codename becomes custom: its holders lose what it granted');
UPDATE dj_site.auth_permission SET codename = 'change_build' WHERE codename = 'close_build';
SELECT ok(inventree_perms.has_model_perm('carol', 'build_build', 'change'),
		  '... back to change_build: its holders get it again');
INSERT INTO dj_site.auth_permission (name, content_type_id, codename)
SELECT 'Can audit', id, 'audit_labeloutput' FROM dj_site.django_content_type WHERE model = 'labeloutput';
INSERT INTO dj_site.auth_user_user_permissions (user_id, permission_id)
VALUES (pg_temp.uid('carol'), pg_temp.pid('report', 'audit_labeloutput'));
DELETE FROM dj_site.auth_permission WHERE codename = 'view_supplierpart';	-- held by nobody
UPDATE dj_site.auth_permission SET content_type_id = (SELECT id FROM dj_site.django_content_type WHERE model = 'supplierpart'),
								   codename = 'view_supplierpart'
 WHERE codename = 'audit_labeloutput';
SELECT ok(inventree_perms.has_model_perm('carol', 'company_supplierpart', 'view'),
		  'a custom permission moved to another content type as a default one: its holders get it');
UPDATE dj_site.auth_permission SET content_type_id = (SELECT id FROM dj_site.django_content_type WHERE model = 'labeloutput'),
								   codename = 'audit_labeloutput'
 WHERE codename = 'view_supplierpart';
SELECT ok(NOT inventree_perms.has_model_perm('carol', 'company_supplierpart', 'view'), '... and moved back: they lose it');

-- 4. Content types ---------------------------------------------------------
INSERT INTO dj_site.django_content_type (app_label, model) VALUES ('part', 'drawing');
INSERT INTO dj_site.auth_permission (name, content_type_id, codename)
SELECT 'Can view drawing', id, 'view_drawing' FROM dj_site.django_content_type WHERE model = 'drawing';
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.models WHERE name = 'part_drawing' AND source = 'dj_site'
				  AND django_ct = (SELECT id FROM dj_site.django_content_type WHERE model = 'drawing')),
		  'a content type made in Django: its model registered here');
INSERT INTO dj_site.auth_user_user_permissions (user_id, permission_id)
VALUES (pg_temp.uid('erin'), pg_temp.pid('part', 'view_drawing'));
SELECT ok(inventree_perms.has_model_perm('erin', 'part_drawing', 'view'), '... and granted');
UPDATE dj_site.django_content_type SET model = 'plan' WHERE model = 'drawing';
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.models WHERE name = 'part_plan')
		  AND NOT EXISTS (SELECT 1 FROM inventree_perms.models WHERE name = 'part_drawing'),
		  'a content type renamed in Django: its model renamed here');
SELECT ok(NOT inventree_perms.has_model_perm('erin', 'part_plan', 'view'),
		  '... its permission view_drawing is now a custom codename: not granted, as the import decides');
UPDATE dj_site.auth_permission SET codename = 'view_plan' WHERE codename = 'view_drawing';
SELECT ok(inventree_perms.has_model_perm('erin', 'part_plan', 'view'), '... renamed to view_plan: granted again');
SELECT inventree_perms.grant_user_perm('alice', 'part_plan', 'add');
DELETE FROM dj_site.auth_user_user_permissions WHERE permission_id = pg_temp.pid('part', 'view_plan');
DELETE FROM dj_site.auth_permission WHERE codename = 'view_plan';
DELETE FROM dj_site.django_content_type WHERE model = 'plan';
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.models WHERE name = 'part_plan'),
		  'a content type deleted in Django: its model removed here (with the grants on it)');
SELECT is(pg_temp.reimports(), 0::bigint, 'none of these changes re-ran the import');

-- 5. An import after them all changes nothing --------------------------------
SELECT is((SELECT sum(count) FROM inventree_perms.import_django('dj_site') WHERE what !~ ':'),
		  0::numeric, 'import_django() after the linked changes finds nothing to change');

-- 6. TRUNCATE re-imports -----------------------------------------------------
TRUNCATE dj_site.auth_user_user_permissions;
SELECT ok(NOT inventree_perms.has_model_perm('carol', 'build_build', 'view'),
		  'TRUNCATE of a linked table: applied (the import re-runs)');
SELECT is(pg_temp.reimports(), 1::bigint, '... as one whole import');

-- 7. One transaction: a row change for a user then a change of its user row ---
SELECT lives_ok($$INSERT INTO dj_site.auth_user_user_permissions (user_id, permission_id)
				  VALUES (pg_temp.uid('dave'), pg_temp.pid('build', 'view_build'));
				  UPDATE dj_site.auth_user SET is_active = true WHERE username = 'dave';$$,
				'a grant then a change of the same user''s row in one transaction (once a deadlock with a whole import)');
SELECT ok(inventree_perms.has_model_perm('dave', 'build_build', 'view'), '... both applied');

-- 8. _django_read_by ---------------------------------------------------------
CREATE TEMP TABLE rels AS SELECT inventree_perms_internal._django_open('dj_site', NULL) AS r;
SELECT set_eq($$SELECT user_id, permission_id FROM inventree_perms_internal._django_read_by(
					(SELECT r[8] FROM rels), 'auth_user_user_permissions', (SELECT r[1] FROM rels), 'user_id', pg_temp.uid('carol'))
				 AS x(user_id bigint, permission_id bigint)$$,
			  $$SELECT user_id::bigint, permission_id::bigint FROM dj_site.auth_user_user_permissions
				 WHERE user_id = pg_temp.uid('carol')$$,
			  '_django_read_by: the rows of one key, through the unique index on (user_id, permission_id)');
SELECT set_eq($$SELECT user_id, permission_id FROM inventree_perms_internal._django_read_by(
					(SELECT r[8] FROM rels), 'auth_user_user_permissions', (SELECT r[1] FROM rels), 'permission_id',
					pg_temp.pid('build', 'view_build'))
				 AS x(user_id bigint, permission_id bigint)$$,
			  $$SELECT user_id::bigint, permission_id::bigint FROM dj_site.auth_user_user_permissions
				 WHERE permission_id = pg_temp.pid('build', 'view_build')$$,
			  '... and of a column without an index of its own (a scan)');
SELECT is((SELECT count(*) FROM inventree_perms_internal._django_read_by(
				(SELECT r[2] FROM rels), 'auth_user', (SELECT r[1] FROM rels), 'id', -1)
			 AS x(id bigint, username text, is_superuser boolean, is_active boolean)), 0::bigint,
		  '... no row for a key no row has');
SELECT throws_ok($$SELECT * FROM inventree_perms_internal._django_read_by(
					(SELECT r[2] FROM rels), 'auth_user', (SELECT r[1] FROM rels), 'username', 1)
				 AS x(id bigint, username text, is_superuser boolean, is_active boolean)$$,
				 '22023', NULL, '... a key column that is not one of its integer columns: 22023');
CREATE INDEX auth_user_groups_partial ON dj_site.auth_user_groups (group_id) WHERE group_id > 1000;
SELECT set_eq($$SELECT user_id FROM inventree_perms_internal._django_read_by(
					(SELECT r[4] FROM rels), 'auth_user_groups', (SELECT r[1] FROM rels), 'group_id', pg_temp.gid('Sales Team'))
				 AS x(user_id bigint, group_id bigint)$$,
			  $$SELECT user_id::bigint FROM dj_site.auth_user_groups WHERE group_id = pg_temp.gid('Sales Team')$$,
			  '... a partial index is not used (it would miss rows)');

SELECT * FROM finish();
ROLLBACK;
