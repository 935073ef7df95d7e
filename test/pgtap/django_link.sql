-- django_link.sql -- SPEC "Interop with a Django / InvenTree database":
-- link_django() / unlink_django().  With the link on, each kind of change an
-- InvenTree web UI makes to Django's tables is enforced by the next
-- statement; unlink stops that.  The changes are made by the InvenTree
-- application's own role (dj_app), which is no administrator of the
-- extension.  Runs as a PostgreSQL superuser; rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(38);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;
\ir django_site.inc
-- Django's foreign keys are DEFERRABLE INITIALLY DEFERRED; in this one test
-- transaction, check them at once (no pending trigger events for ALTER TABLE).
SET CONSTRAINTS ALL IMMEDIATE;

CREATE ROLE dj_app;				-- the InvenTree application's login
CREATE ROLE dj_uadmin;			-- an administrator who is no superuser
GRANT USAGE ON SCHEMA dj_site TO dj_app, dj_uadmin;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA dj_site TO dj_app;
GRANT SELECT ON ALL TABLES IN SCHEMA dj_site TO dj_uadmin;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA dj_site TO dj_app;
CREATE FUNCTION pg_temp.audit_rows() RETURNS bigint
LANGUAGE sql AS $$ SELECT count(*) FROM inventree_perms.audit_log $$;
CREATE FUNCTION pg_temp.triggers() RETURNS bigint
LANGUAGE sql AS $$ SELECT count(*) FROM pg_trigger WHERE tgname = 'inventree_perms_django' $$;

-- 1. Who may link ----------------------------------------------------------
SELECT inventree_perms.create_user('dj_uadmin');
SELECT inventree_perms.grant_user_perm('dj_uadmin', 'user', 'change');
SET ROLE dj_uadmin;
SELECT throws_ok($$SELECT inventree_perms.link_django('dj_site')$$, '42501', NULL,
				 'an administrator who is no superuser may not link (the link decides superusers)');
RESET ROLE;
SET ROLE dj_app;
SELECT throws_ok($$SELECT inventree_perms.link_django('dj_site')$$, '42501', NULL,
				 'the application role, no administrator, may not link');
RESET ROLE;
SELECT throws_ok($$SELECT inventree_perms.link_django(NULL)$$, '22004', NULL, 'NULL: 22004');
SELECT is(pg_temp.triggers(), 0::bigint, 'refused links left no trigger');

-- 2. Linking ---------------------------------------------------------------
SELECT lives_ok($$SELECT inventree_perms.link_django('dj_site')$$, 'link_django(dj_site)');
SELECT is(pg_temp.triggers(), 8::bigint, 'a trigger on each of the 8 Django tables');
SELECT ok((SELECT bool_and(tgenabled = 'A') FROM pg_trigger WHERE tgname = 'inventree_perms_django'),
		  '... enabled ALWAYS (a replica applying InvenTree''s changes keeps them too)');
SELECT is((SELECT array_agg(source_schema::text) FROM inventree_perms.django_links), '{dj_site}',
		  'the link is recorded');
SELECT ok(inventree_perms.has_role_perm('alice', 'stock', 'add'), 'link imports at once');
SELECT is((SELECT array_agg(operation ORDER BY id) FROM inventree_perms.audit_log
		   WHERE operation ~ 'django'),
		  '{import_django,link_django}', 'audit: the import, then the link');
SELECT pg_temp.audit_rows() AS a0 \gset
SELECT lives_ok($$SELECT inventree_perms.link_django('dj_site')$$, 'linking again is no error');
SELECT is(pg_temp.audit_rows(), :a0::bigint, '... and changes nothing');

-- 3. Each kind of change, made as the application ---------------------------
SET ROLE dj_app;
-- a new user, in a group
INSERT INTO dj_site.auth_user (password, is_superuser, username, first_name, last_name, email,
							   is_staff, is_active, date_joined)
VALUES ('x', false, 'hank', 'H', 'H', 'h@example.com', false, true, now());
SELECT ok(inventree_perms.has_model_perm('hank', 'common_inventreesetting', 'view'),
		  'a new user exists from the next statement (an open model is open to him)');
INSERT INTO dj_site.auth_user_groups (user_id, group_id)
SELECT u.id, g.id FROM dj_site.auth_user u, dj_site.auth_group g
WHERE u.username = 'hank' AND g.name = 'Stock Team';
SELECT ok(inventree_perms.has_model_perm('hank', 'stock_stockitem', 'add'), 'a new membership is enforced');
DELETE FROM dj_site.auth_user_groups
 WHERE user_id = (SELECT id FROM dj_site.auth_user WHERE username = 'hank');
SELECT ok(NOT inventree_perms.has_model_perm('hank', 'stock_stockitem', 'view'), 'a removed membership is enforced');
-- a ruleset flag, set and cleared
UPDATE dj_site.users_ruleset SET can_delete = true
 WHERE name = 'stock' AND group_id = (SELECT id FROM dj_site.auth_group WHERE name = 'Stock Team');
SELECT ok(inventree_perms.has_model_perm('alice', 'stock_stockitemtracking', 'delete')
		  AND inventree_perms.has_role_perm('alice', 'stock', 'delete'), 'a ruleset flag set is enforced');
UPDATE dj_site.users_ruleset SET can_view = false, can_add = false, can_change = false, can_delete = false
 WHERE name = 'stock' AND group_id = (SELECT id FROM dj_site.auth_group WHERE name = 'Stock Team');
SELECT ok(NOT inventree_perms.has_model_perm('alice', 'stock_stockitem', 'view'), 'a ruleset cleared is enforced');
-- a group permission and a user permission
INSERT INTO dj_site.auth_group_permissions (group_id, permission_id)
SELECT g.id, p.id FROM dj_site.auth_group g, dj_site.auth_permission p
WHERE g.name = 'Readers' AND p.codename = 'view_build';
SELECT ok(inventree_perms.has_model_perm('frank', 'build_build', 'view'), 'a group permission given is enforced');
TRUNCATE dj_site.auth_user_user_permissions;
SELECT ok(NOT inventree_perms.has_model_perm('carol', 'build_build', 'view'),
		  'TRUNCATE of the user permissions is enforced');
-- a deactivated user, a superuser made, a deleted user
UPDATE dj_site.auth_user SET is_active = false WHERE username = 'bob';
SELECT ok(NOT inventree_perms.has_model_perm('bob', 'order_purchaseorder', 'view'), 'a deactivated user is enforced');
UPDATE dj_site.auth_user SET is_superuser = true WHERE username = 'carol';
SELECT ok(inventree_perms.has_model_perm('carol', 'order_salesorder', 'delete'),
		  'a superuser made in Django is one (the link was made by a superuser)');
DELETE FROM dj_site.auth_user_groups WHERE user_id = (SELECT id FROM dj_site.auth_user WHERE username = 'erin');
DELETE FROM dj_site.auth_user WHERE username = 'erin';
SELECT ok(NOT inventree_perms.has_model_perm('erin', 'part_part', 'view')
		  AND NOT inventree_perms.has_model_perm('erin', 'common_inventreesetting', 'view'), 'a deleted user is gone');
-- a new group with its rulesets, as InvenTree creates them
INSERT INTO dj_site.auth_group (name) VALUES ('Builders');
INSERT INTO dj_site.users_ruleset (name, can_view, can_add, can_change, can_delete, group_id)
SELECT 'build', true, true, true, false, id FROM dj_site.auth_group WHERE name = 'Builders';
INSERT INTO dj_site.auth_user_groups (user_id, group_id)
SELECT u.id, g.id FROM dj_site.auth_user u, dj_site.auth_group g WHERE u.username = 'hank' AND g.name = 'Builders';
SELECT ok(inventree_perms.has_model_perm('hank', 'build_builditem', 'add')
		  AND inventree_perms.has_model_perm('hank', 'part_part', 'change')
		  AND NOT inventree_perms.has_model_perm('hank', 'part_part', 'delete'),
		  'a new group with a ruleset is enforced');
-- Django's own bookkeeping does not re-import
RESET ROLE;
SELECT pg_temp.audit_rows() AS a1 \gset
SET ROLE dj_app;
UPDATE dj_site.auth_user SET last_login = now(), password = 'y' WHERE username = 'alice';
RESET ROLE;
SELECT is(pg_temp.audit_rows(), :a1::bigint, 'a login (last_login, password) does not re-import');
SELECT is((SELECT session_role || '/' || (detail->>'table') || '/' || (detail->>'via')
		   FROM inventree_perms.audit_log ORDER BY id DESC LIMIT 1),
		  'dj_app/dj_site.auth_user_groups/link_django',
		  'audit: an import through the link names the role that changed Django''s table, and the table');
SELECT is((SELECT count(*) FROM inventree_perms.audit_log
		   WHERE operation = 'import_django' AND detail ? 'via'), 14::bigint,
		  'one audit row per statement that changed something');

-- 4. Hand-made rows are left alone by the trigger too -----------------------
SELECT inventree_perms.create_group('Hand Group');
SELECT inventree_perms.add_user_to_group('hank', 'Hand Group');
SET ROLE dj_app;
UPDATE dj_site.auth_user SET is_active = true WHERE username = 'bob';
RESET ROLE;
SELECT ok(inventree_perms.has_model_perm('bob', 'order_purchaseorder', 'view')
		  AND EXISTS (SELECT 1 FROM inventree_perms.memberships WHERE (username, groupname) = ('hank', 'Hand Group')),
		  'a re-import keeps hand-made memberships');

-- 5. A Django user named like a hand-made one: reported, the hand-made one kept
SELECT lives_ok($$SELECT inventree_perms.create_user('ivan')$$, 'a hand-made user ivan');
SET ROLE dj_app;
SELECT lives_ok($$INSERT INTO dj_site.auth_user (password, is_superuser, username, first_name, last_name, email,
							   is_staff, is_active, date_joined)
VALUES ('x', true, 'ivan', 'I', 'I', 'i@example.com', true, true, now())$$,
				'a Django user named like a hand-made one is accepted on Django''s side');
RESET ROLE;
SELECT is((SELECT row(is_superuser, source)::text FROM inventree_perms.users WHERE name = 'ivan'), '(f,)',
		  '... and the hand-made user is not touched');

-- 6. Unlinking -------------------------------------------------------------
SET ROLE dj_uadmin;
SELECT throws_ok($$SELECT inventree_perms.unlink_django('dj_site')$$, '42501', NULL,
				 'an administrator who is no superuser may not unlink');
RESET ROLE;
SELECT lives_ok($$SELECT inventree_perms.unlink_django('dj_site')$$, 'unlink_django(dj_site)');
SELECT is(pg_temp.triggers(), 0::bigint, 'the triggers are gone');
SELECT ok(NOT EXISTS (SELECT 1 FROM inventree_perms.django_links), 'the link is gone');
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.users WHERE name = 'hank' AND source = 'dj_site'),
		  'imported rows stay');
SET ROLE dj_app;
UPDATE dj_site.auth_user SET is_active = false WHERE username = 'bob';
RESET ROLE;
SELECT ok(inventree_perms.has_model_perm('bob', 'order_purchaseorder', 'view'),
		  'after unlink a change on the Django side is not enforced');
SELECT pg_temp.audit_rows() AS a2 \gset
SELECT lives_ok($$SELECT inventree_perms.unlink_django('dj_site')$$, 'unlinking again is no error');
SELECT is(pg_temp.audit_rows(), :a2::bigint, '... and writes no audit row');

SELECT * FROM finish();
ROLLBACK;
