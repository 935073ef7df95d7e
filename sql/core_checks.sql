DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;
--
-- core_checks: has_model_perm(username, model, action) and
-- has_model_perm(model, action), the rules of the SPEC in order.
--
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP ROLE IF EXISTS core_alice, core_bob, core_plain;
RESET client_min_messages;
CREATE ROLE core_alice;
CREATE ROLE core_bob;
CREATE ROLE core_plain;
-- A small world: alice is in two groups, bob is inactive, carol is a
-- superuser, dave an inactive superuser, erin has nothing.
DO $$
BEGIN
	PERFORM inventree_perms.register_model('core_part', NULL, 'Parts');
	PERFORM inventree_perms.register_model('core_stock');
	PERFORM inventree_perms.register_model('core_order');
	PERFORM inventree_perms.register_model('core_setting', open => true);
	PERFORM inventree_perms.create_user('core_alice');
	PERFORM inventree_perms.create_user('core_bob', is_active => false);
	PERFORM inventree_perms.create_user('core_carol', is_superuser => true);
	PERFORM inventree_perms.create_user('core_dave', true, false);
	PERFORM inventree_perms.create_user('core_erin');
	PERFORM inventree_perms.create_group('Stock Team');
	PERFORM inventree_perms.create_group('core_sales');
	PERFORM inventree_perms.add_user_to_group('core_alice', 'Stock Team');
	PERFORM inventree_perms.add_user_to_group('core_alice', 'core_sales');
	PERFORM inventree_perms.add_user_to_group('core_bob', 'Stock Team');
	PERFORM inventree_perms.grant_user_perm('core_alice', 'core_part', 'view');
	PERFORM inventree_perms.grant_group_perm('Stock Team', 'core_stock', 'view');
	PERFORM inventree_perms.grant_group_perm('Stock Team', 'core_stock', 'add');
	PERFORM inventree_perms.grant_group_perm('core_sales', 'core_stock', 'change');
	PERFORM inventree_perms.grant_group_perm('core_sales', 'core_order', 'delete');
	PERFORM inventree_perms.grant_user_perm('core_bob', 'core_part', 'all');
END $$;
-- The whole matrix.  alice: view on part (direct); view+add on stock (Stock
-- Team) and change on stock (core_sales); delete on order (core_sales), which
-- does not imply view.  bob holds everything on part but is inactive.  carol
-- is a superuser: everything.  dave is an inactive superuser: nothing.
-- core_setting is open: every active user, whatever the grants.
SELECT u AS username, m AS model,
	   inventree_perms.has_model_perm(u, m, 'view') AS view,
	   inventree_perms.has_model_perm(u, m, 'add') AS add,
	   inventree_perms.has_model_perm(u, m, 'change') AS change,
	   inventree_perms.has_model_perm(u, m, 'delete') AS delete
FROM unnest(ARRAY['core_alice', 'core_bob', 'core_carol', 'core_dave', 'core_erin', 'core_nobody']) WITH ORDINALITY AS uu(u, i),
	 unnest(ARRAY['core_part', 'core_stock', 'core_order', 'core_setting']) WITH ORDINALITY AS mm(m, j)
ORDER BY i, j;
-- Actions: any letter case; edit = change.
SELECT a AS action, inventree_perms.has_model_perm('core_alice', 'core_stock', a) AS alice_on_stock,
	   inventree_perms.has_model_perm('core_alice', 'core_part', a) AS alice_on_part
FROM unnest(ARRAY['view', 'VIEW', 'View', 'add', 'change', 'edit', 'EDIT', 'Edit', 'delete']) a;
-- Built-in models always exist.
SELECT inventree_perms.has_model_perm('core_carol', 'user', 'change') AS carol_user_change,
	   inventree_perms.has_model_perm('core_erin', 'group', 'view') AS erin_group_view;
-- Names are case-sensitive, like role names: these users do not exist.
SELECT inventree_perms.has_model_perm('CORE_ALICE', 'core_part', 'view') AS upper,
	   inventree_perms.has_model_perm('core_alice ', 'core_part', 'view') AS trailing_space;
-- 1. A NULL argument gives NULL (a policy treats it as deny), before anything
--    else is looked at.
SELECT inventree_perms.has_model_perm(NULL, 'core_part', 'view') AS null_user,
	   inventree_perms.has_model_perm('core_alice', NULL, 'view') AS null_model,
	   inventree_perms.has_model_perm('core_alice', 'core_part', NULL) AS null_action,
	   inventree_perms.has_model_perm('core_alice', 'no such model', NULL) AS null_action_bad_model,
	   inventree_perms.has_model_perm('core_alice', NULL, 'bogus') AS null_model_bad_action,
	   inventree_perms.has_model_perm(NULL, 'view') AS null_2arg;
-- 2. An unknown action is an error; "all" is only for grant/revoke.
SELECT inventree_perms.has_model_perm('core_alice', 'core_part', 'read');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.has_model_perm('core_alice', 'core_part', 'all');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.has_model_perm('core_part', '');
\echo sqlstate :LAST_ERROR_SQLSTATE
-- ... and it is reported before an unregistered model.
SELECT inventree_perms.has_model_perm('core_alice', 'core_nosuch', 'bogus');
\echo sqlstate :LAST_ERROR_SQLSTATE
-- 3. An unregistered model is an error, for every user; a malformed name is
--    just unregistered.
SELECT inventree_perms.has_model_perm('core_carol', 'core_nosuch', 'view');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.has_model_perm('core_nobody', 'Core_Part', 'view');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT inventree_perms.has_model_perm('core_nosuch', 'view');
\echo sqlstate :LAST_ERROR_SQLSTATE
-- The two-argument form asks about acting_user(): current_user by default.
SET ROLE core_alice;
SELECT inventree_perms.acting_user(),
	   inventree_perms.has_model_perm('core_part', 'view') AS part_view,
	   inventree_perms.has_model_perm('core_part', 'edit') AS part_edit,
	   inventree_perms.has_model_perm('core_stock', 'change') AS stock_change;
SET ROLE core_bob;
SELECT inventree_perms.acting_user(), inventree_perms.has_model_perm('core_part', 'view') AS part_view;
SET ROLE core_plain;
SELECT inventree_perms.acting_user(), inventree_perms.has_model_perm('core_setting', 'view') AS setting_view;
-- Anybody may ask about anybody.
SELECT inventree_perms.has_model_perm('core_alice', 'core_part', 'view') AS alice_part_view;
RESET ROLE;
-- Changes are seen by the next statement, and rolled back with the rest.
BEGIN;
SELECT inventree_perms.revoke_group_perm('core_sales', 'core_stock', 'change');
SELECT inventree_perms.has_model_perm('core_alice', 'core_stock', 'change') AS after_revoke;
ROLLBACK;
SELECT inventree_perms.has_model_perm('core_alice', 'core_stock', 'change') AS after_rollback;
SELECT inventree_perms.set_user_active('core_bob', true);
SELECT inventree_perms.has_model_perm('core_bob', 'core_part', 'delete') AS bob_reactivated;
DROP ROLE core_alice, core_bob, core_plain;
