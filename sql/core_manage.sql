DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;
--
-- core_manage: the management functions, who may call them, their errors,
-- and the audit log they write.
--
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP ROLE IF EXISTS core_plain, core_mgr, core_carol;
RESET client_min_messages;
CREATE ROLE core_plain;		-- no user of the extension
CREATE ROLE core_mgr;		-- will hold change on model user
CREATE ROLE core_carol;		-- will be a superuser of the extension
CREATE TABLE core_t1 (id int);
CREATE TABLE core_t2 (id int);
-- A PostgreSQL superuser is an administrator.
SELECT inventree_perms.register_model('core_part', 'core_t1', 'Parts');
SELECT inventree_perms.create_user('core_mgr');
SELECT inventree_perms.create_user('core_carol', is_superuser => true);
SELECT inventree_perms.create_user('core_erin');
SELECT inventree_perms.create_group('Stock Team');
SELECT inventree_perms.add_user_to_group('core_erin', 'Stock Team');
SELECT inventree_perms.grant_user_perm('core_mgr', 'user', 'change');
SELECT inventree_perms.grant_group_perm('Stock Team', 'core_part', 'all');
SELECT name, is_superuser, is_active FROM inventree_perms.users ORDER BY name;
SELECT groupname, model, action FROM inventree_perms.group_perms ORDER BY 1, 2, action;
-- Everybody else: 42501.
SET ROLE core_plain;
SELECT inventree_perms.create_user('core_x');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', 'change');	-- held: a no-op
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.drop_group('Stock Team');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT * FROM inventree_perms.audit();
\echo sqlstate :LAST_ERROR_SQLSTATE
-- ... and the tables are out of reach.
SELECT * FROM inventree_perms.users;
\echo sqlstate :LAST_ERROR_SQLSTATE
INSERT INTO inventree_perms.user_perms VALUES ('core_plain', 'user', 'change');
\echo sqlstate :LAST_ERROR_SQLSTATE
RESET ROLE;
-- Holding change on model user makes an administrator ...
SET ROLE core_mgr;
SELECT inventree_perms.create_user('core_made');
SELECT inventree_perms.add_user_to_group('core_made', 'Stock Team');
SELECT inventree_perms.grant_user_perm('core_carol', 'core_part', 'view');
-- ... who cannot create, alter, deactivate or drop a superuser.
SELECT inventree_perms.create_user('core_super', true);
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.set_user_superuser('core_made', true);
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.set_user_active('core_carol', false);
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.drop_user('core_carol');
\echo sqlstate :LAST_ERROR_SQLSTATE
RESET ROLE;
-- A superuser of the extension may.
SET ROLE core_carol;
SELECT inventree_perms.set_user_superuser('core_made', true);
SELECT inventree_perms.set_user_superuser('core_made', false);
RESET ROLE;
-- A NULL argument is an error, never a silent no-op.
SELECT inventree_perms.create_user(NULL);
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', NULL);
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.set_user_active('core_erin', NULL);
\echo sqlstate :LAST_ERROR_SQLSTATE
-- Names: what Django allows (1-150 characters, case-sensitive, spaces, dots,
-- @, +, - inside) ...
SELECT inventree_perms.create_user('p.kowalski@example.com');
SELECT inventree_perms.create_user('AliceW');
SELECT inventree_perms.create_user('alicew');
SELECT inventree_perms.create_group('Sales Team');
SELECT inventree_perms.create_user(repeat('x', 150));
-- ... and nothing else.
SELECT inventree_perms.create_user('');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.create_user(repeat('x', 151));
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.create_user(' alice');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.create_group('Sales Team ');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.create_user(E'ali\tce');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.register_model('Part');
\echo sqlstate :LAST_ERROR_SQLSTATE
-- Duplicates and unknown objects.
SELECT inventree_perms.create_user('AliceW');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.create_group('Stock Team');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.drop_user('core_nobody');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.add_user_to_group('core_erin', 'No Such Team');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.grant_group_perm('Stock Team', 'core_nosuch', 'view');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', 'read');
\echo sqlstate :LAST_ERROR_SQLSTATE
-- register_model: the same arguments again change nothing; another relation
-- for the same name is an error; a new description or open flag updates.
SELECT inventree_perms.register_model('core_part', 'core_t1', 'Parts');
SELECT inventree_perms.register_model('core_part', 'core_t2', 'Parts');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.register_model('core_part', 'core_t1', 'Parts and assemblies');
SELECT name, relation, description, is_open FROM inventree_perms.models WHERE name = 'core_part';
-- The built-in models stay.
SELECT inventree_perms.unregister_model('user');
\echo sqlstate :LAST_ERROR_SQLSTATE
-- Grants: all, edit, and no error for what is already so.
SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', 'Edit');
SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', 'change');
SELECT inventree_perms.revoke_user_perm('core_erin', 'core_part', 'delete');
SELECT inventree_perms.add_user_to_group('core_erin', 'Stock Team');
SELECT inventree_perms.remove_user_from_group('core_made', 'Sales Team');
SELECT username, model, action FROM inventree_perms.user_perms ORDER BY 1, 2, 3;
-- Dropping a group removes its grants and memberships.
SELECT inventree_perms.drop_group('Stock Team');
SELECT count(*) AS memberships_left FROM inventree_perms.memberships;
SELECT inventree_perms.has_model_perm('core_erin', 'core_part', 'view') AS erin_view,
	   inventree_perms.has_model_perm('core_erin', 'core_part', 'change') AS erin_change;
-- The audit log: one row per call that changed something (none for the
-- no-ops and the errors above), with the calling role and its acting user.
SELECT id, CASE WHEN session_role = current_user THEN '(me)' ELSE session_role END AS session_role,
	   acting_user = session_role AS acting_self, operation, left(target, 24) AS target, detail
FROM inventree_perms.audit() ORDER BY id;
-- Append-only, even for a PostgreSQL superuser.
DELETE FROM inventree_perms.audit_log;
\echo sqlstate :LAST_ERROR_SQLSTATE
UPDATE inventree_perms.audit_log SET target = 'nobody';
\echo sqlstate :LAST_ERROR_SQLSTATE
-- In a read-only transaction a management function is refused before it
-- does anything, like GRANT, even when it would change nothing (25006);
-- the checks and the seeing functions still answer.
BEGIN READ ONLY;
SELECT inventree_perms.create_user('core_readonly');
\echo sqlstate :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', 'change');	-- held: a no-op
\echo sqlstate :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT inventree_perms.has_model_perm('core_erin', 'core_part', 'change') AS erin_change;
SELECT count(*) > 0 AS erin_has_rows FROM inventree_perms.user_permissions('core_erin');
SELECT count(*) > 0 AS audit_has_rows FROM inventree_perms.audit();
COMMIT;
DROP TABLE core_t1, core_t2;
DROP ROLE core_plain, core_mgr, core_carol;
