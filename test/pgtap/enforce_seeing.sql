-- enforce_seeing.sql: user_permissions() with every kind of "via", who may
-- ask about whom, and the my_permissions view for the acting user.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS inventree_perms;

CREATE ROLE enf_app LOGIN;
CREATE ROLE enf_u LOGIN;
CREATE ROLE enf_other LOGIN;
CREATE ROLE enf_admin LOGIN;
SELECT inventree_perms.add_delegate('enf_app');
SELECT inventree_perms.register_model('widget');
SELECT inventree_perms.register_model('notes', open => true);
SELECT inventree_perms.create_user('enf_u');
SELECT inventree_perms.create_user('enf_other');
SELECT inventree_perms.create_user('enf_admin');
SELECT inventree_perms.create_user('enf_su', is_superuser => true);
SELECT inventree_perms.create_user('enf_gone', is_active => false);
SELECT inventree_perms.create_user('Zoë Müller');
SELECT inventree_perms.grant_user_perm('enf_admin', 'user', 'change');
SELECT inventree_perms.create_group('G1');
SELECT inventree_perms.create_group('Stock Team');
SELECT inventree_perms.grant_user_perm('enf_u', 'widget', 'view');
SELECT inventree_perms.grant_group_perm('G1', 'widget', 'view');
SELECT inventree_perms.grant_group_perm('G1', 'widget', 'change');
SELECT inventree_perms.grant_group_role('Stock Team', 'stock', 'view');
SELECT inventree_perms.add_user_to_group('enf_u', 'G1');
SELECT inventree_perms.add_user_to_group('enf_u', 'Stock Team');
SELECT inventree_perms.add_user_to_group('Zoë Müller', 'G1');
SELECT inventree_perms.grant_user_perm('enf_gone', 'widget', 'all');

-- the registered models, for roles that may not read the table
CREATE TEMP TABLE enf_models AS SELECT name, is_open FROM inventree_perms.models;
GRANT SELECT ON enf_models TO PUBLIC;

SELECT plan(22);

-- every kind of via -------------------------------------------------------------
SELECT set_eq(
	$$SELECT model, action, via FROM inventree_perms.user_permissions('enf_u')
	  WHERE model IN ('widget', 'notes', 'stock_stockitem', 'stock_stocklocation', 'part_part')$$,
	$$VALUES ('notes', 'view', 'open'), ('notes', 'add', 'open'), ('notes', 'change', 'open'), ('notes', 'delete', 'open'),
			 ('widget', 'view', 'user'), ('widget', 'view', 'group:G1'), ('widget', 'change', 'group:G1'),
			 ('stock_stockitem', 'view', 'role:stock@Stock Team')$$,
	'user_permissions(enf_u): open, user, group:G1 and role:stock@Stock Team, one row per way');
SELECT set_eq(
	$$SELECT DISTINCT model FROM inventree_perms.user_permissions('enf_u') WHERE via = 'role:stock@Stock Team'$$,
	$$SELECT model FROM inventree_perms.role_models WHERE role = 'stock'$$,
	'... role:stock@Stock Team covers exactly the models of role stock');
SELECT is(
	(SELECT count(*) FROM inventree_perms.user_permissions('enf_u') u
	  WHERE NOT inventree_perms.has_model_perm('enf_u', u.model, u.action)), 0::bigint,
	'every row of user_permissions() is a permission has_model_perm() grants');
SELECT is(
	(SELECT count(*) FROM inventree_perms.models m, unnest('{view,add,change,delete}'::text[]) a
	  WHERE inventree_perms.has_model_perm('enf_u', m.name, a)
		AND NOT EXISTS (SELECT 1 FROM inventree_perms.user_permissions('enf_u') u
						WHERE u.model = m.name AND u.action = a)), 0::bigint,
	'every permission has_model_perm() grants has a row');
SELECT is(
	(SELECT count(*) FROM inventree_perms.user_permissions('enf_su') WHERE via = 'superuser'),
	4 * (SELECT count(*) FROM inventree_perms.models),
	'an active superuser: every action on every registered model, via superuser');
SELECT is((SELECT count(*) FROM inventree_perms.user_permissions('enf_gone')), 0::bigint,
	'an inactive user: nothing, whatever she was granted');
SELECT set_eq(
	$$SELECT model, action, via FROM inventree_perms.user_permissions('Zoë Müller') WHERE via <> 'open'$$,
	$$VALUES ('widget', 'view', 'group:G1'), ('widget', 'change', 'group:G1')$$,
	'a user with a non-ASCII name');
SELECT throws_ok($$SELECT * FROM inventree_perms.user_permissions('nobody here')$$, '42704', NULL,
	'an unknown user is 42704');

-- who may ask ---------------------------------------------------------------------
SET ROLE enf_u;
SELECT lives_ok($$SELECT * FROM inventree_perms.user_permissions('enf_u')$$, 'a user may see her own permissions');
SELECT is((SELECT count(*) FROM inventree_perms.user_permissions()),
		  (SELECT count(*) FROM inventree_perms.user_permissions('enf_u')),
	'... user_permissions() defaults to the acting user');
SELECT throws_ok($$SELECT * FROM inventree_perms.user_permissions('enf_other')$$, '42501', NULL,
	'... but not another user''s (42501)');
SELECT throws_ok($$SELECT * FROM inventree_perms.user_permissions('enf_su')$$, '42501', NULL,
	'... not even a superuser''s');
RESET ROLE;
SET ROLE enf_admin;
SELECT lives_ok($$SELECT * FROM inventree_perms.user_permissions('enf_u')$$,
	'an administrator (change on user) may see another user''s');
RESET ROLE;
SET ROLE enf_app;
SELECT inventree_perms.set_acting_user('enf_u');
SELECT set_eq($$SELECT * FROM inventree_perms.user_permissions()$$,
			  $$SELECT * FROM inventree_perms.user_permissions('enf_u')$$,
	'a delegate acting for enf_u sees enf_u''s permissions by default');
SELECT throws_ok($$SELECT * FROM inventree_perms.user_permissions('enf_other')$$, '42501', NULL,
	'... and, acting for a non-administrator, not enf_other''s');
SELECT inventree_perms.reset_acting_user();
RESET ROLE;

-- my_permissions ----------------------------------------------------------------------
SET ROLE enf_u;
SELECT set_eq(
	$$SELECT model, can_view, can_add, can_change, can_delete FROM inventree_perms.my_permissions
	  WHERE model IN ('widget', 'notes', 'stock_stockitem', 'part_part', 'user')$$,
	$$VALUES ('widget', true, false, true, false), ('notes', true, true, true, true),
			 ('stock_stockitem', true, false, false, false), ('part_part', false, false, false, false),
			 ('user', false, false, false, false)$$,
	'my_permissions for enf_u');
SELECT is((SELECT count(*) FROM inventree_perms.my_permissions), (SELECT count(*) FROM enf_models),
	'... one row per registered model');
RESET ROLE;
SET ROLE enf_app;
SELECT is((SELECT bool_or(can_view OR can_add OR can_change OR can_delete) FROM inventree_perms.my_permissions),
	false, 'my_permissions for enf_app (a role that is no user): nothing, not even open models');
SELECT inventree_perms.set_acting_user('enf_u');
SELECT set_eq(
	$$SELECT model, can_view, can_add, can_change, can_delete FROM inventree_perms.my_permissions
	  WHERE model IN ('widget', 'notes', 'stock_stockitem', 'part_part')$$,
	$$VALUES ('widget', true, false, true, false), ('notes', true, true, true, true),
			 ('stock_stockitem', true, false, false, false), ('part_part', false, false, false, false)$$,
	'my_permissions for enf_app acting as enf_u: enf_u''s matrix');
SELECT inventree_perms.set_acting_user('enf_su');
SELECT is((SELECT bool_and(can_view AND can_add AND can_change AND can_delete) FROM inventree_perms.my_permissions),
	true, 'acting as a superuser user: everything');
SELECT inventree_perms.set_acting_user('enf_gone');
SELECT is((SELECT bool_or(can_view OR can_add OR can_change OR can_delete) FROM inventree_perms.my_permissions),
	false, 'acting as an inactive user: nothing, not even open models');
SELECT inventree_perms.reset_acting_user();
RESET ROLE;
SELECT is(has_table_privilege('enf_u', 'inventree_perms.my_permissions', 'SELECT'), true,
	'everyone may read my_permissions');

SELECT * FROM finish();
ROLLBACK;
