DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;
--
-- django: import_django(), link_django(), unlink_django() against a small
-- InvenTree database (Django's auth tables and InvenTree's users_ruleset, in
-- the layout those projects create).
--
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS dj_inventree CASCADE;
DROP ROLE IF EXISTS dj_app, dj_report;
RESET client_min_messages;
CREATE SCHEMA dj_inventree;
CREATE TABLE dj_inventree.django_content_type (
	id serial PRIMARY KEY, app_label varchar(100) NOT NULL, model varchar(100) NOT NULL,
	UNIQUE (app_label, model));
CREATE TABLE dj_inventree.auth_permission (
	id serial PRIMARY KEY, name varchar(255) NOT NULL,
	content_type_id integer NOT NULL REFERENCES dj_inventree.django_content_type,
	codename varchar(100) NOT NULL, UNIQUE (content_type_id, codename));
CREATE TABLE dj_inventree.auth_group (id serial PRIMARY KEY, name varchar(150) NOT NULL UNIQUE);
CREATE TABLE dj_inventree.auth_group_permissions (
	id bigserial PRIMARY KEY,
	group_id integer NOT NULL REFERENCES dj_inventree.auth_group,
	permission_id integer NOT NULL REFERENCES dj_inventree.auth_permission,
	UNIQUE (group_id, permission_id));
CREATE TABLE dj_inventree.auth_user (
	id serial PRIMARY KEY, password varchar(128) NOT NULL, last_login timestamptz,
	is_superuser boolean NOT NULL, username varchar(150) NOT NULL UNIQUE,
	first_name varchar(150) NOT NULL DEFAULT '', last_name varchar(150) NOT NULL DEFAULT '',
	email varchar(254) NOT NULL DEFAULT '', is_staff boolean NOT NULL DEFAULT false,
	is_active boolean NOT NULL, date_joined timestamptz NOT NULL DEFAULT now());
CREATE TABLE dj_inventree.auth_user_groups (
	id bigserial PRIMARY KEY,
	user_id integer NOT NULL REFERENCES dj_inventree.auth_user,
	group_id integer NOT NULL REFERENCES dj_inventree.auth_group,
	UNIQUE (user_id, group_id));
CREATE TABLE dj_inventree.auth_user_user_permissions (
	id bigserial PRIMARY KEY,
	user_id integer NOT NULL REFERENCES dj_inventree.auth_user,
	permission_id integer NOT NULL REFERENCES dj_inventree.auth_permission,
	UNIQUE (user_id, permission_id));
CREATE TABLE dj_inventree.users_ruleset (
	id serial PRIMARY KEY, name varchar(50) NOT NULL,
	can_view boolean NOT NULL DEFAULT false, can_add boolean NOT NULL DEFAULT false,
	can_change boolean NOT NULL DEFAULT false, can_delete boolean NOT NULL DEFAULT false,
	group_id integer NOT NULL REFERENCES dj_inventree.auth_group, UNIQUE (name, group_id));
-- The site: content types with Django's default permissions and one custom
-- permission; two groups with rulesets; a superuser, an inactive user, a
-- user with a direct permission.
INSERT INTO dj_inventree.django_content_type (app_label, model) VALUES
	('part', 'part'), ('stock', 'stockitem'), ('order', 'purchaseorder'),
	('report', 'labeloutput'), ('common', 'inventreesetting');
INSERT INTO dj_inventree.auth_permission (name, content_type_id, codename)
SELECT 'Can ' || a || ' ' || ct.model, ct.id, a || '_' || ct.model
FROM dj_inventree.django_content_type ct, unnest('{add,change,delete,view}'::text[]) a;
INSERT INTO dj_inventree.auth_permission (name, content_type_id, codename)
SELECT 'Can change pricing', id, 'change_pricing' FROM dj_inventree.django_content_type WHERE model = 'part';
INSERT INTO dj_inventree.auth_group (name) VALUES ('Stock Team'), ('Purchasing');
INSERT INTO dj_inventree.users_ruleset (name, can_view, can_add, can_change, group_id)
SELECT 'stock', true, true, true, id FROM dj_inventree.auth_group WHERE name = 'Stock Team';
INSERT INTO dj_inventree.users_ruleset (name, can_view, group_id)
SELECT 'part', true, id FROM dj_inventree.auth_group WHERE name = 'Stock Team';
INSERT INTO dj_inventree.users_ruleset (name, can_view, can_add, can_change, can_delete, group_id)
SELECT 'purchase_order', true, true, true, true, id FROM dj_inventree.auth_group WHERE name = 'Purchasing';
INSERT INTO dj_inventree.auth_user (password, is_superuser, username, is_active) VALUES
	('pbkdf2_sha256$x', true, 'admin', true),
	('pbkdf2_sha256$x', false, 'alice', true),
	('pbkdf2_sha256$x', false, 'bob', true),
	('pbkdf2_sha256$x', false, 'carol', false);
INSERT INTO dj_inventree.auth_user_groups (user_id, group_id)
SELECT u.id, g.id FROM dj_inventree.auth_user u, dj_inventree.auth_group g
WHERE (u.username, g.name) IN (('alice', 'Stock Team'), ('bob', 'Purchasing'), ('carol', 'Stock Team'));
INSERT INTO dj_inventree.auth_user_user_permissions (user_id, permission_id)
SELECT u.id, p.id FROM dj_inventree.auth_user u, dj_inventree.auth_permission p
WHERE u.username = 'bob' AND p.codename IN ('view_labeloutput', 'change_pricing');
-- A user made by hand before the import, with the name of a Django user.
SELECT inventree_perms.create_user('bob');
-- Import.  The counts are what this run changed; then what it skipped.
SELECT * FROM inventree_perms.import_django('dj_inventree');
SELECT name, is_superuser, is_active, source FROM inventree_perms.users ORDER BY name;
SELECT * FROM inventree_perms.group_roles ORDER BY groupname, role, action;
SELECT name, source FROM inventree_perms.models WHERE source IS NOT NULL ORDER BY name;
-- InvenTree's answers: roles, role tables, open tables, inactive users.
SELECT u AS username,
	   inventree_perms.has_role_perm(u, 'stock', 'change') AS stock_change,
	   inventree_perms.has_model_perm(u, 'stock_stockitem', 'delete') AS stockitem_delete,
	   inventree_perms.has_model_perm(u, 'part_part', 'view') AS part_view,
	   inventree_perms.has_model_perm(u, 'common_inventreesetting', 'change') AS setting_change
FROM unnest('{admin,alice,bob,carol}'::text[]) u;
-- The hand-made bob was left as it was: no group, no grant.
SELECT * FROM inventree_perms.user_permissions('bob') WHERE via <> 'open';
-- A second import changes nothing and writes no audit row.
SELECT * FROM inventree_perms.import_django('dj_inventree') WHERE count > 0 AND what !~ ':';
SELECT operation, target, detail FROM inventree_perms.audit_log WHERE operation ~ 'django' ORDER BY id;
-- Bad input.
SELECT * FROM inventree_perms.import_django('dj_nowhere');
SELECT * FROM inventree_perms.import_django(NULL);
-- Link: from now on a change committed to Django's tables is enforced.
SELECT inventree_perms.drop_user('bob');
SELECT inventree_perms.link_django('dj_inventree');
SELECT tgrelid::regclass AS "table", tgenabled FROM pg_trigger
WHERE tgname = 'inventree_perms_django' ORDER BY tgrelid::regclass::text;
-- The InvenTree application changes its tables as its own role.
CREATE ROLE dj_app;
GRANT USAGE ON SCHEMA dj_inventree TO dj_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA dj_inventree TO dj_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA dj_inventree TO dj_app;
SET ROLE dj_app;
SELECT inventree_perms.has_model_perm('bob', 'order_purchaseorder', 'delete');
UPDATE dj_inventree.auth_user SET is_active = false WHERE username = 'alice';
SELECT inventree_perms.has_model_perm('alice', 'stock_stockitem', 'view');
UPDATE dj_inventree.users_ruleset SET can_delete = true WHERE name = 'purchase_order';
INSERT INTO dj_inventree.auth_user (password, is_superuser, username, is_active)
VALUES ('pbkdf2_sha256$x', false, 'dan', true);
INSERT INTO dj_inventree.auth_user_groups (user_id, group_id)
SELECT u.id, g.id FROM dj_inventree.auth_user u, dj_inventree.auth_group g
WHERE u.username = 'dan' AND g.name = 'Stock Team';
SELECT inventree_perms.has_role_perm('dan', 'stock', 'add');
UPDATE dj_inventree.auth_user SET last_login = now();	-- a login: no re-import
RESET ROLE;
SELECT session_role, operation, detail->>'table' AS "table", detail->>'users' AS users,
	   detail->>'memberships' AS memberships
FROM inventree_perms.audit_log WHERE detail ? 'via' ORDER BY id;
-- A reporting tool logs in with its own role, named like an InvenTree user:
-- the database answers as the web UI would.
CREATE ROLE dj_report;
INSERT INTO dj_inventree.auth_user (password, is_superuser, username, is_active)
VALUES ('', false, 'dj_report', true);
INSERT INTO dj_inventree.auth_user_groups (user_id, group_id)
SELECT u.id, g.id FROM dj_inventree.auth_user u, dj_inventree.auth_group g
WHERE u.username = 'dj_report' AND g.name = 'Purchasing';
SET ROLE dj_report;
SELECT inventree_perms.acting_user();
SELECT * FROM inventree_perms.my_permissions
WHERE model IN ('order_purchaseorder', 'company_company', 'stock_stockitem', 'part_part',
				'report_labeloutput', 'common_inventreesetting')
ORDER BY model;
RESET ROLE;
-- Unlink: the triggers go, the imported rows stay, changes are no longer seen.
SELECT inventree_perms.unlink_django('dj_inventree');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgname = 'inventree_perms_django';
UPDATE dj_inventree.auth_user SET is_active = true WHERE username = 'alice';
SELECT inventree_perms.has_model_perm('alice', 'stock_stockitem', 'view');
SELECT count(*) AS imported_users FROM inventree_perms.users WHERE source = 'dj_inventree';
-- Clean up.
SET client_min_messages = warning;
DROP SCHEMA dj_inventree CASCADE;
RESET client_min_messages;
DROP ROLE dj_app, dj_report;
