-- enforce_acting.sql: the acting user inside one transaction: who may set it,
-- what it changes, and every way an ordinary role might try to spoof it.
-- (Transaction ends, RESET ALL, DISCARD ALL and fresh sessions: see
-- sql/enforce.sql and test/shell/pooling.sh.)
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS inventree_perms;

CREATE ROLE enf_app LOGIN;			-- the application: a delegate
CREATE ROLE enf_mallory LOGIN;		-- an ordinary role (and user) who would like more
CREATE ROLE enf_alice LOGIN;
CREATE SCHEMA enf_mal AUTHORIZATION enf_mallory;
SELECT inventree_perms.register_model('widget');
SELECT inventree_perms.create_user('enf_mallory');
SELECT inventree_perms.create_user('enf_alice');
SELECT inventree_perms.create_user('enf_dave', is_superuser => true);
SELECT inventree_perms.create_user('enf_erin', is_active => false);
SELECT inventree_perms.create_user('Anna Smith');
SELECT inventree_perms.grant_user_perm('enf_alice', 'widget', 'view');
SELECT inventree_perms.grant_user_perm('enf_erin', 'widget', 'view');
SELECT inventree_perms.grant_user_perm('Anna Smith', 'widget', 'add');
SELECT inventree_perms.add_delegate('enf_app');

SELECT plan(58);

-- acting_user() ------------------------------------------------------------------
SELECT is(inventree_perms.acting_user(), current_user::text, 'acting_user() is current_user by default');
SET ROLE enf_mallory;
SELECT is(inventree_perms.acting_user(), 'enf_mallory', '... after SET ROLE, the new current_user');
RESET ROLE;

-- set_acting_user: delegates and superusers only --------------------------------
SET ROLE enf_mallory;
SELECT throws_ok($$SELECT inventree_perms.set_acting_user('enf_dave')$$, '42501', NULL,
	'an ordinary role may not set_acting_user()');
SELECT throws_ok($$SELECT inventree_perms.set_acting_user('enf_dave', false)$$, '42501', NULL,
	'... not even for the session');
SELECT throws_ok($$SELECT inventree_perms.add_delegate('enf_mallory')$$, '42501', NULL,
	'an ordinary role may not make itself a delegate');
SELECT throws_ok($$SELECT inventree_perms.remove_delegate('enf_app')$$, '42501', NULL,
	'... nor remove one');
RESET ROLE;

SET ROLE enf_app;
SELECT throws_ok($$SELECT inventree_perms.set_acting_user('no such user')$$, '42704', NULL,
	'a delegate: an unknown user is 42704');
SELECT throws_ok($$SELECT inventree_perms.set_acting_user(NULL)$$, '22004', NULL,
	'a delegate: NULL is 22004');
SELECT throws_ok($$SELECT inventree_perms.add_delegate('enf_mallory')$$, '42501', NULL,
	'a delegate may not make other delegates');
SELECT is(inventree_perms.acting_user(), 'enf_app', 'failed calls changed nothing');
SELECT lives_ok($$SELECT inventree_perms.set_acting_user('enf_alice')$$, 'a delegate may act for enf_alice');
SELECT is(inventree_perms.acting_user(), 'enf_alice', 'acting_user() is enf_alice');
SELECT is(inventree_perms.has_model_perm('widget', 'view'), true, '... and her permissions apply');
SELECT lives_ok($$SELECT inventree_perms.set_acting_user('Anna Smith')$$,
	'a delegate may act for an application user with a space in her name');
SELECT is(inventree_perms.has_model_perm('widget', 'add'), true, '... Anna Smith may add widgets');
SELECT is(inventree_perms.has_model_perm('widget', 'view'), false, '... but not view them');
SELECT lives_ok($$SELECT inventree_perms.set_acting_user('enf_erin')$$, 'an inactive user is accepted');
SELECT is(inventree_perms.acting_user(), 'enf_erin', 'acting_user() is enf_erin');
SELECT is(inventree_perms.has_model_perm('widget', 'view'), false, '... who has no permission at all');
SELECT lives_ok($$SELECT inventree_perms.reset_acting_user()$$, 'reset_acting_user()');
SELECT is(inventree_perms.acting_user(), 'enf_app', 'acting_user() is current_user again');
RESET ROLE;

-- a superuser needs no delegation -----------------------------------------------
SELECT lives_ok($$SELECT inventree_perms.set_acting_user('enf_alice')$$, 'a PostgreSQL superuser may set the acting user');
SELECT is(inventree_perms.acting_user(), 'enf_alice', '... enf_alice');
SELECT inventree_perms.reset_acting_user();

-- remove_delegate / add_delegate ------------------------------------------------
SELECT inventree_perms.remove_delegate('enf_app');
SET ROLE enf_app;
SELECT throws_ok($$SELECT inventree_perms.set_acting_user('enf_alice')$$, '42501', NULL,
	'after remove_delegate(), the role may no longer set the acting user');
RESET ROLE;
SELECT inventree_perms.add_delegate('enf_app');
SET ROLE enf_app;
SELECT lives_ok($$SELECT inventree_perms.set_acting_user('enf_alice')$$, '... and after add_delegate() it may again');
SELECT inventree_perms.reset_acting_user();
RESET ROLE;

-- rollback to a savepoint undoes a set, local or not ------------------------------
SET ROLE enf_app;
SAVEPOINT s1;
SELECT inventree_perms.set_acting_user('enf_alice', false);
ROLLBACK TO SAVEPOINT s1;
SELECT is(inventree_perms.acting_user(), 'enf_app', 'a session-level set rolled back (to a savepoint) is undone');
SAVEPOINT s2;
SELECT inventree_perms.set_acting_user('enf_alice');
ROLLBACK TO SAVEPOINT s2;
SELECT is(inventree_perms.acting_user(), 'enf_app', 'a local set rolled back (to a savepoint) is undone');
RESET ROLE;

-- spoofing, as an ordinary role --------------------------------------------------------
-- enf_dave is an active superuser user: acting as him would give everything.
SET ROLE enf_mallory;
SELECT throws_ok($$SET inventree_perms.acting_user = 'enf_dave'$$, '42501', NULL, 'SET of the setting: refused');
SELECT throws_ok($$SET LOCAL inventree_perms.acting_user = 'enf_dave'$$, '42501', NULL, 'SET LOCAL: refused');
SELECT throws_ok($$SET SESSION inventree_perms.acting_user TO 'enf_dave'$$, '42501', NULL, 'SET SESSION ... TO: refused');
SELECT throws_ok($$SELECT set_config('inventree_perms.acting_user', 'enf_dave', false)$$, '42501', NULL,
	'set_config(..., false): refused');
SELECT throws_ok($$SELECT set_config('inventree_perms.acting_user', 'enf_dave', true)$$, '42501', NULL,
	'set_config(..., true): refused');
SELECT throws_ok($$RESET inventree_perms.acting_user$$, '42501', NULL, 'RESET of the setting: refused');
SELECT throws_ok($$ALTER ROLE enf_mallory SET inventree_perms.acting_user = 'enf_dave'$$, '42501', NULL,
	'ALTER ROLE (herself) SET: refused');
SELECT throws_ok($$SET inventree_perms.something_else = 'x'$$, '42602', NULL,
	'the inventree_perms. prefix is reserved: no placeholder settings');
SELECT throws_ok($$CREATE FUNCTION enf_mal.f() RETURNS text LANGUAGE sql
		SET inventree_perms.acting_user = 'enf_dave' AS 'SELECT inventree_perms.acting_user()'$$, '42501', NULL,
	'a function with SET inventree_perms.acting_user: refused');
SELECT throws_ok($$CREATE FUNCTION enf_mal.g() RETURNS void LANGUAGE c
		AS '$libdir/inventree_perms', 'ip_set_acting_user'$$, '42501', NULL,
	'declaring the C entry points herself: refused (LANGUAGE c is untrusted)');
SELECT is(inventree_perms.acting_user(), 'enf_mallory', 'after all that, mallory still acts as herself');
SELECT is(inventree_perms.has_model_perm('widget', 'view'), false, '... and has no permission on widget');
SELECT is(current_setting('inventree_perms.acting_user'), '', '... and the setting is still empty');

-- internal functions are not hers to call
SELECT throws_ok($$SELECT inventree_perms_internal._caller()$$, '42501', NULL, '_caller(): permission denied');
SELECT throws_ok($$SELECT inventree_perms_internal._caller_acting()$$, '42501', NULL, '_caller_acting(): permission denied');
SELECT throws_ok($$SELECT inventree_perms_internal._invalidate()$$, '42501', NULL, '_invalidate(): permission denied');
SELECT throws_ok($$SELECT inventree_perms_internal._protect('pg_catalog.pg_class', 'x', NULL, NULL, NULL)$$, '42501', NULL,
	'_protect(): permission denied');
SELECT throws_ok($$SELECT inventree_perms_internal._unprotect('pg_catalog.pg_class')$$, '42501', NULL,
	'_unprotect(): permission denied');
SELECT throws_ok($$SELECT inventree_perms_internal._add_delegate('enf_mallory')$$, '42501', NULL,
	'_add_delegate(): permission denied');
SELECT throws_ok($$SELECT inventree_perms_internal._create_user('enf_dave2', true, true)$$, '42501', NULL,
	'_create_user(): permission denied');
SELECT throws_ok($$SELECT inventree_perms_internal._grant_user_perm('enf_mallory', 'widget', 'all')$$, '42501', NULL,
	'_grant_user_perm(): permission denied');
SELECT throws_ok($$SELECT inventree_perms_internal._log('x', 'y', NULL)$$, '42501', NULL, '_log(): permission denied');
SELECT throws_ok($$SELECT inventree_perms_internal._is_admin()$$, '42501', NULL, '_is_admin(): permission denied');
SELECT throws_ok($$INSERT INTO inventree_perms.delegates VALUES ('enf_mallory')$$, '42501', NULL,
	'writing the delegates table directly: permission denied');
SELECT throws_ok($$INSERT INTO inventree_perms.users VALUES ('enf_mallory2', true, true)$$, '42501', NULL,
	'writing the users table directly: permission denied');
RESET ROLE;
SELECT is(
	(SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc p
	  WHERE p.pronamespace = 'inventree_perms_internal'::regnamespace AND p.proname ~ '^_'
		AND has_function_privilege('enf_mallory', p.oid, 'EXECUTE')),
	NULL,
	'no internal (_-prefixed) function of the extension is executable by an ordinary role');

-- a SECURITY DEFINER function of an ordinary role, called by a superuser --------
SET ROLE enf_mallory;
CREATE FUNCTION enf_mal.innocent() RETURNS text LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog AS $$
BEGIN
	PERFORM inventree_perms.set_acting_user('enf_dave', false);
	RETURN inventree_perms.acting_user();
END $$;
CREATE FUNCTION enf_mal.innocent2() RETURNS text LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog AS $$
BEGIN
	PERFORM pg_catalog.set_config('inventree_perms.acting_user', 'enf_dave', false);
	RETURN inventree_perms.acting_user();
END $$;
CREATE FUNCTION enf_mal.innocent3() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog AS $$
BEGIN
	PERFORM inventree_perms.add_delegate('enf_mallory');
END $$;
RESET ROLE;
SELECT throws_ok($$SELECT enf_mal.innocent()$$, '42501', NULL,
	'a superuser calling mallory''s SECURITY DEFINER function: its set_acting_user() is refused');
SELECT throws_ok($$SELECT enf_mal.innocent2()$$, '42501', NULL,
	'... its set_config() of the setting is refused');
SELECT throws_ok($$SELECT enf_mal.innocent3()$$, '42501', NULL,
	'... its add_delegate() is refused');
SELECT is(inventree_perms.acting_user(), current_user::text, '... and the superuser''s acting user is unchanged');
SELECT is((SELECT count(*) FROM inventree_perms.delegates WHERE role = 'enf_mallory'::regrole), 0::bigint,
	'... and mallory is no delegate');

SELECT * FROM finish();
ROLLBACK;
