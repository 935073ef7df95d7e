-- core_blackbox.sql: the SPEC's sections "Concepts", "The acting user",
-- "Checking", "Managing", "Roles" and "Seeing" read as a black box, for the
-- rules the other core_*, roles_* and enforce_* files do not pin down: the
-- argument names, defaults and results of every core function (named
-- notation as the SPEC writes it), an administrator through every way of
-- holding change on model user (a group grant, a role flag, change
-- inheritance) and not once inactive, my_permissions for a role that is no
-- user, a local acting user over a session-level one, RESET ALL of a local
-- one, and what a plain role or a delegate may not do to the setting.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS inventree_perms;

CREATE ROLE cbb_plain;		-- no user row
CREATE ROLE cbb_ga;			-- change on user through a group grant ('edit')
CREATE ROLE cbb_rf;			-- ... through a role flag of a role listing model user
CREATE ROLE cbb_ih;			-- ... through change inheritance onto model user
CREATE ROLE cbb_none;		-- a member of those groups' neighbour: no change on user
CREATE ROLE cbb_app;		-- a delegate
CREATE ROLE cbb_u;			-- holds view on cbb_part

SELECT inventree_perms.create_user(u) FROM unnest(ARRAY['cbb_ga', 'cbb_rf', 'cbb_ih', 'cbb_none', 'cbb_u']) u;
SELECT inventree_perms.create_group(g) FROM unnest(ARRAY['cbb grant', 'cbb flag', 'cbb inherit', 'cbb other']) g;
SELECT inventree_perms.add_user_to_group('cbb_ga', 'cbb grant');
SELECT inventree_perms.add_user_to_group('cbb_rf', 'cbb flag');
SELECT inventree_perms.add_user_to_group('cbb_ih', 'cbb inherit');
SELECT inventree_perms.add_user_to_group('cbb_none', 'cbb other');
SELECT inventree_perms.grant_group_perm('cbb grant', 'user', 'edit');
SELECT inventree_perms.create_role('cbb_usermgr');
SELECT inventree_perms.add_model_to_role('cbb_usermgr', 'user');
SELECT inventree_perms.grant_group_role('cbb flag', 'cbb_usermgr', 'change');
SELECT inventree_perms.create_role('cbb_inh');
SELECT inventree_perms.add_change_inherit('cbb_inh', 'user');
SELECT inventree_perms.grant_group_role('cbb inherit', 'cbb_inh', 'change');
SELECT inventree_perms.grant_group_perm('cbb other', 'user', 'view');
SELECT inventree_perms.grant_group_role('cbb other', 'cbb_usermgr', 'view');
SELECT inventree_perms.register_model('cbb_part');
SELECT inventree_perms.grant_user_perm('cbb_u', 'cbb_part', 'view');
SELECT inventree_perms.add_delegate('cbb_app');

-- did the statement q, run as role r, live (NULL) or fail with which SQLSTATE?
CREATE FUNCTION pg_temp.state_as(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	BEGIN
		EXECUTE q;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
	END;
	RESET ROLE;
	RETURN coalesce(st, 'ok');
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.state_as(text, text) TO PUBLIC;

SELECT plan(26);

-- 1. Signatures: the SPEC's argument names, defaults and results ------------------------
SELECT is((SELECT array_agg(p.oid::regprocedure::text || ' ' || pg_get_function_arguments(p.oid)
					 ORDER BY p.oid::regprocedure::text COLLATE "C", p.pronargs)
		   FROM pg_proc p WHERE p.pronamespace = 'inventree_perms'::regnamespace
			AND p.proname IN ('acting_user', 'set_acting_user', 'reset_acting_user', 'add_delegate',
							  'remove_delegate', 'has_model_perm', 'has_role_perm', 'create_user', 'drop_user',
							  'set_user_active', 'set_user_superuser', 'create_group', 'drop_group',
							  'add_user_to_group', 'remove_user_from_group', 'register_model',
							  'unregister_model', 'grant_user_perm', 'revoke_user_perm', 'grant_group_perm',
							  'revoke_group_perm', 'create_role', 'add_model_to_role', 'remove_model_from_role',
							  'drop_role', 'grant_group_role', 'revoke_group_role', 'add_change_inherit',
							  'remove_change_inherit', 'user_permissions', 'audit')),
	ARRAY[
	'inventree_perms.acting_user() ',
	'inventree_perms.add_change_inherit(text,text) role text, model text',
	'inventree_perms.add_delegate(regrole) role regrole',
	'inventree_perms.add_model_to_role(text,text) role text, model text',
	'inventree_perms.add_user_to_group(text,text) username text, groupname text',
	'inventree_perms.audit(timestamp with time zone) since timestamp with time zone DEFAULT ''-infinity''::timestamp with time zone',
	'inventree_perms.create_group(text) groupname text',
	'inventree_perms.create_role(text,text) role text, label text DEFAULT NULL::text',
	'inventree_perms.create_user(text,boolean,boolean) username text, is_superuser boolean DEFAULT false, is_active boolean DEFAULT true',
	'inventree_perms.drop_group(text) groupname text',
	'inventree_perms.drop_role(text) role text',
	'inventree_perms.drop_user(text) username text',
	'inventree_perms.grant_group_perm(text,text,text) groupname text, model text, action text',
	'inventree_perms.grant_group_role(text,text,text) groupname text, role text, action text',
	'inventree_perms.grant_user_perm(text,text,text) username text, model text, action text',
	'inventree_perms.has_model_perm(text,text) model text, action text',
	'inventree_perms.has_model_perm(text,text,text) username text, model text, action text',
	'inventree_perms.has_role_perm(text,text) role text, action text',
	'inventree_perms.has_role_perm(text,text,text) username text, role text, action text',
	'inventree_perms.register_model(text,regclass,text,boolean) model text, relation regclass DEFAULT NULL::regclass, description text DEFAULT NULL::text, open boolean DEFAULT false',
	'inventree_perms.remove_change_inherit(text,text) role text, model text',
	'inventree_perms.remove_delegate(regrole) role regrole',
	'inventree_perms.remove_model_from_role(text,text) role text, model text',
	'inventree_perms.remove_user_from_group(text,text) username text, groupname text',
	'inventree_perms.reset_acting_user() ',
	'inventree_perms.revoke_group_perm(text,text,text) groupname text, model text, action text',
	'inventree_perms.revoke_group_role(text,text,text) groupname text, role text, action text',
	'inventree_perms.revoke_user_perm(text,text,text) username text, model text, action text',
	'inventree_perms.set_acting_user(text,boolean) username text, is_local boolean DEFAULT true',
	'inventree_perms.set_user_active(text,boolean) username text, active boolean',
	'inventree_perms.set_user_superuser(text,boolean) username text, superuser boolean',
	'inventree_perms.unregister_model(text) model text',
	'inventree_perms.user_permissions(text) username text DEFAULT inventree_perms.acting_user()'],
	'the core functions have the SPEC''s argument names and defaults');
SELECT is((SELECT array_agg(DISTINCT pg_get_function_result(p.oid)) FROM pg_proc p
		   WHERE p.pronamespace = 'inventree_perms'::regnamespace AND p.prosrc = 'ip_gate'
			 AND p.proname NOT IN ('audit', 'user_permissions', 'user_scopes', 'import_django', 'has_model_perm',
								  'has_role_perm', 'has_row_perm', 'acting_user')),
		  ARRAY['void'], 'management functions return void');
SELECT is((SELECT array_agg(pg_get_function_result(p.oid) ORDER BY p.proname) FROM pg_proc p
		   WHERE p.pronamespace = 'inventree_perms'::regnamespace
			 AND p.proname IN ('acting_user', 'audit', 'user_permissions')),
		  ARRAY['text', 'SETOF inventree_perms.audit_log', 'TABLE(model text, action text, via text)'],
		  'acting_user() -> text, audit() -> SETOF audit_log, user_permissions() -> TABLE(model, action, via)');

-- 2. Named notation, as the SPEC writes the names ----------------------------------------
SELECT is(inventree_perms.has_model_perm(username => 'cbb_u', model => 'cbb_part', action => 'view'), true,
		  'has_model_perm(username =>, model =>, action =>)');
SELECT is(pg_temp.state_as('cbb_u', $q$DO $d$ BEGIN
			IF NOT inventree_perms.has_model_perm(model => 'cbb_part', action => 'view') THEN RAISE 'no'; END IF;
			IF inventree_perms.has_role_perm(role => 'part', action => 'view') THEN RAISE 'yes'; END IF;
		  END $d$$q$), 'ok', 'has_model_perm(model =>, action =>) and has_role_perm(role =>, action =>)');
SELECT inventree_perms.set_acting_user(username => 'cbb_u', is_local => false);
SELECT is(inventree_perms.acting_user(), 'cbb_u', 'set_acting_user(username =>, is_local => false)');
SELECT is((SELECT count(*) FROM inventree_perms.user_permissions(username => 'cbb_u') WHERE model = 'cbb_part'),
		  1::bigint, 'user_permissions(username =>)');
SELECT inventree_perms.reset_acting_user();
SELECT lives_ok($$SELECT inventree_perms.create_role(role => 'cbb_named', label => 'Named');
				  SELECT inventree_perms.register_model(model => 'cbb_named', relation => NULL, description => 'd', open => true);
				  SELECT inventree_perms.grant_group_role(groupname => 'cbb other', role => 'cbb_named', action => 'view');
				  SELECT inventree_perms.create_user(username => 'cbb_named', is_superuser => false, is_active => false);
				  SELECT count(*) FROM inventree_perms.audit(since => now())$$,
		  'create_role, register_model, grant_group_role, create_user, audit in named notation');

-- 3. An administrator holds change on model user: any way a permission is held -------------
SELECT is(pg_temp.state_as('cbb_ga', $$SELECT inventree_perms.create_group('cbb x1')$$), 'ok',
		  'a member of a group granted edit on user is an administrator');
SELECT is(pg_temp.state_as('cbb_rf', $$SELECT inventree_perms.create_group('cbb x2')$$), 'ok',
		  'a member of a group whose role flag covers model user is an administrator');
SELECT is(pg_temp.state_as('cbb_ih', $$SELECT inventree_perms.create_group('cbb x3')$$), 'ok',
		  'a member of a group holding change of a role that model user inherits from is an administrator');
SELECT is(pg_temp.state_as('cbb_ih', $$SELECT count(*) FROM inventree_perms.user_permissions('cbb_u')$$), 'ok',
		  '... and may see another user''s permissions');
SELECT is(pg_temp.state_as('cbb_none', $$SELECT inventree_perms.create_group('cbb x4')$$), '42501',
		  'view on user (by grant and by role flag) does not make an administrator');
SELECT is(pg_temp.state_as('cbb_none', $$SELECT inventree_perms.create_group(NULL)$$), '42501',
		  '... 42501 before the NULL check');
SELECT inventree_perms.set_user_active('cbb_ga', false);
SELECT is(pg_temp.state_as('cbb_ga', $$SELECT inventree_perms.create_group('cbb x5')$$), '42501',
		  'an inactive user is no administrator, whatever his groups hold');
SELECT is(pg_temp.state_as('cbb_rf', $$SELECT inventree_perms.create_user('cbb_su', true)$$), '42501',
		  'an administrator by role flag may not create a superuser');

-- 4. my_permissions for a role that is no user -------------------------------------------
SELECT is(pg_temp.state_as('cbb_plain', format($q$DO $d$ BEGIN
			IF (SELECT count(*) FROM inventree_perms.my_permissions) <> %s THEN RAISE 'rows'; END IF;
			IF EXISTS (SELECT 1 FROM inventree_perms.my_permissions WHERE can_view OR can_add OR can_change OR can_delete)
			THEN RAISE 'true'; END IF;
		  END $d$$q$, (SELECT count(*) FROM inventree_perms.models))), 'ok',
		  'my_permissions of a role with no user row: one row per registered model, all false (open ones too)');
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.models WHERE is_open), '... (there are open models)');

-- 5. The acting user ----------------------------------------------------------------------
SELECT inventree_perms.set_acting_user('cbb_u', false);
SELECT inventree_perms.set_acting_user('cbb_none');
SELECT is(inventree_perms.acting_user(), 'cbb_none', 'a local set overrides a session-level one');
RESET ALL;
SET client_min_messages = warning;
SELECT is(inventree_perms.acting_user(), current_user::text, 'RESET ALL clears a local and a session-level set alike');
SELECT is(pg_temp.state_as('cbb_app', $$SET inventree_perms.acting_user = 'cbb_ih'$$), '42501',
		  'a delegate may not SET the setting either (only set_acting_user())');
SELECT is(pg_temp.state_as('cbb_app', $$SELECT set_config('inventree_perms.acting_user', 'cbb_ih', true)$$), '42501',
		  '... nor set_config() it');
SELECT is(pg_temp.state_as('cbb_app', $q$DO $d$ BEGIN
			PERFORM inventree_perms.set_acting_user('cbb_ih');
			IF inventree_perms.acting_user() <> 'cbb_ih' THEN RAISE 'not set'; END IF;
			PERFORM inventree_perms.reset_acting_user();
			IF inventree_perms.acting_user() <> 'cbb_app' THEN RAISE 'not reset'; END IF;
		  END $d$$q$), 'ok', 'a delegate sets and resets through the functions');
SELECT is(pg_temp.state_as('cbb_app', $$SELECT inventree_perms.set_acting_user('cbb_nobody')$$), '42704',
		  'a delegate: an unknown user -> 42704');
SELECT is(ARRAY[pg_temp.state_as('cbb_app', $$SELECT inventree_perms.set_acting_user('')$$),
				pg_temp.state_as('cbb_app', $$SELECT inventree_perms.set_acting_user(' cbb_u')$$),
				pg_temp.state_as('cbb_app', $$SELECT inventree_perms.set_acting_user(E'cbb_u\n')$$)],
		  '{22023,22023,22023}',
		  '... a name no user can have (empty, a space before, a newline after) -> 22023 (Concepts)');
SELECT is(pg_temp.state_as('cbb_u', $$SELECT inventree_perms.set_acting_user('')$$), '42501',
		  '... and for a role that is not a delegate, 42501 first');

SELECT * FROM finish();
ROLLBACK;
