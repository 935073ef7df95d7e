-- django_delta.sql -- SPEC "Interop with a Django / InvenTree database": a
-- linked change costs what it changes.  Memberships, user and group
-- permissions and rulesets are applied row by row (no re-import), a bulk
-- statement included; an UPDATE of nothing the import reads changes
-- nothing; the row trigger works only on the tables the link recorded (by
-- OID), owned by the owner of the linked auth_user.  Runs as a PostgreSQL
-- superuser; rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(12);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;
\ir django_site.inc
SET CONSTRAINTS ALL IMMEDIATE;
CREATE ROLE dj_other;
SELECT inventree_perms.link_django('dj_site');
SELECT count(*) AS a0 FROM inventree_perms.audit_log \gset

-- 1. Row deltas, no re-import ------------------------------------------------
INSERT INTO dj_site.auth_user_groups (user_id, group_id)
SELECT u.id, g.id FROM dj_site.auth_user u, dj_site.auth_group g
WHERE u.username = 'carol' AND g.name IN ('Stock Team', 'Purchasing', 'Readers');
SELECT ok(inventree_perms.has_role_perm('carol', 'stock', 'add')
		  AND inventree_perms.has_role_perm('carol', 'purchase_order', 'delete')
		  AND inventree_perms.has_model_perm('carol', 'company_company', 'view'),
		  'a bulk insert of memberships: every row applied');
SELECT is((SELECT count(*) FROM inventree_perms.audit_log WHERE id > :a0 AND NOT (detail ? 'delta')), 0::bigint,
		  '... without a re-import (the audit rows are deltas)');
UPDATE dj_site.users_ruleset SET can_delete = true
WHERE name = 'stock' AND group_id = (SELECT id FROM dj_site.auth_group WHERE name = 'Stock Team');
SELECT ok(inventree_perms.has_role_perm('alice', 'stock', 'delete'), 'a ruleset flag set is applied');
SELECT count(*) AS a1 FROM inventree_perms.audit_log \gset
UPDATE dj_site.users_ruleset SET can_view = can_view;
SELECT is((SELECT count(*) FROM inventree_perms.audit_log), :a1::bigint,
		  'an UPDATE that changes no flag writes nothing');
DELETE FROM dj_site.auth_user_user_permissions
WHERE user_id = (SELECT id FROM dj_site.auth_user WHERE username = 'carol');
SELECT ok(NOT inventree_perms.has_model_perm('carol', 'build_build', 'change'),
		  'a bulk delete of user permissions: applied');
INSERT INTO dj_site.auth_group_permissions (group_id, permission_id)
SELECT g.id, p.id FROM dj_site.auth_group g, dj_site.auth_permission p
JOIN dj_site.django_content_type ct ON ct.id = p.content_type_id
WHERE g.name = 'Readers' AND (ct.app_label, p.codename) = ('build', 'view_build');
SELECT ok(inventree_perms.has_model_perm('frank', 'build_build', 'view'), 'a group permission given: applied');
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.group_perms
				  WHERE groupname = 'Readers' AND model = 'build_build' AND source = 'dj_site'),
		  '... marked as imported from the schema');

-- 2. The row trigger checks the table -----------------------------------------
SELECT count(*) AS n FROM inventree_perms.memberships \gset m_
ALTER TABLE dj_site.auth_user_groups OWNER TO dj_other;
SELECT throws_ok($$INSERT INTO dj_site.auth_user_groups (user_id, group_id)
				   SELECT u.id, g.id FROM dj_site.auth_user u, dj_site.auth_group g
				   WHERE u.username = 'frank' AND g.name = 'Purchasing'$$, '42501', NULL,
				 'a linked table given to another owner: 42501');
SELECT is((SELECT count(*) FROM inventree_perms.memberships), :m_n::bigint, '... nothing changed');
ALTER TABLE dj_site.auth_user_groups OWNER TO postgres;
-- Another table of the same name (the linked one renamed away): not linked.
ALTER TABLE dj_site.auth_user_groups RENAME TO auth_user_groups_old;
CREATE TABLE dj_site.auth_user_groups (id serial, user_id integer, group_id integer);
SELECT lives_ok($$INSERT INTO dj_site.auth_user_groups (user_id, group_id) VALUES (1, 1)$$,
				'a new table in a linked table''s place has no trigger of the link');
SELECT is((SELECT count(*) FROM inventree_perms.memberships), :m_n::bigint, '... and changes nothing');
CREATE TABLE public.dj_mine (user_id integer, group_id integer);
ALTER TABLE public.dj_mine OWNER TO dj_other;
SET ROLE dj_other;
SELECT throws_ok($$CREATE TRIGGER t AFTER INSERT ON public.dj_mine FOR EACH ROW
				   EXECUTE FUNCTION inventree_perms_internal._django_row_trigger()$$, '42501', NULL,
				 'nobody else may put the link''s row trigger on a table');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
