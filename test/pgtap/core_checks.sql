-- core_checks.sql -- SPEC "Checking": has_model_perm, its rules in order.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(75);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;

-- The message hint of an error raised by a statement (NULL if none raised).
CREATE FUNCTION pg_temp.hint_of(cmd text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE h text;
BEGIN
	EXECUTE cmd;
	RETURN NULL;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
	RETURN h;
END $$;

CREATE ROLE core_alice;
CREATE ROLE core_bob;
CREATE ROLE core_plain;		-- a role that is no user
DO $$
BEGIN
	PERFORM inventree_perms.register_model('core_part', NULL, 'Parts');
	PERFORM inventree_perms.register_model('core_stock');
	PERFORM inventree_perms.register_model('core_order');
	PERFORM inventree_perms.create_user('core_alice');
	PERFORM inventree_perms.create_user('core_bob', false, false);		-- inactive
	PERFORM inventree_perms.create_user('core_carol', true);			-- superuser
	PERFORM inventree_perms.create_user('core_dave', true, false);		-- inactive superuser
	PERFORM inventree_perms.create_user('core_erin');					-- no grants
	PERFORM inventree_perms.create_group('Stock Team');
	PERFORM inventree_perms.create_group('core_sales');
	PERFORM inventree_perms.add_user_to_group('core_alice', 'Stock Team');
	PERFORM inventree_perms.add_user_to_group('core_alice', 'core_sales');
	PERFORM inventree_perms.add_user_to_group('core_bob', 'Stock Team');
	PERFORM inventree_perms.add_user_to_group('core_dave', 'Stock Team');
	PERFORM inventree_perms.grant_user_perm('core_alice', 'core_part', 'view');
	PERFORM inventree_perms.grant_group_perm('Stock Team', 'core_stock', 'view');
	PERFORM inventree_perms.grant_group_perm('Stock Team', 'core_stock', 'add');
	PERFORM inventree_perms.grant_group_perm('core_sales', 'core_stock', 'change');
	PERFORM inventree_perms.grant_group_perm('core_sales', 'core_order', 'delete');
	PERFORM inventree_perms.grant_user_perm('core_bob', 'core_part', 'all');
	PERFORM inventree_perms.grant_user_perm('core_dave', 'core_part', 'all');
END $$;

-- Function properties (SPEC: STABLE STRICT PARALLEL SAFE, callable by everyone)
SELECT is((SELECT (p.provolatile, p.proisstrict, p.proparallel)::text FROM pg_proc p
		   WHERE p.oid = 'inventree_perms.has_model_perm(text,text,text)'::regprocedure),
		  '(s,t,s)', '3-argument form is STABLE STRICT PARALLEL SAFE');
SELECT is((SELECT (p.provolatile, p.proisstrict, p.proparallel)::text FROM pg_proc p
		   WHERE p.oid = 'inventree_perms.has_model_perm(text,text)'::regprocedure),
		  '(s,t,s)', '2-argument form is STABLE STRICT PARALLEL SAFE');
SELECT ok(has_function_privilege('core_plain', 'inventree_perms.has_model_perm(text,text,text)', 'EXECUTE')
	  AND has_function_privilege('core_plain', 'inventree_perms.has_model_perm(text,text)', 'EXECUTE'),
	  'a plain role may call both forms');

-- 1. NULL argument -> NULL, before any other rule
SELECT is(inventree_perms.has_model_perm(NULL, 'core_part', 'view'), NULL, 'NULL user -> NULL');
SELECT is(inventree_perms.has_model_perm('core_alice', NULL, 'view'), NULL, 'NULL model -> NULL');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_part', NULL), NULL, 'NULL action -> NULL');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_nosuch', NULL), NULL,
		  'NULL action with an unregistered model -> NULL, not 42704');
SELECT is(inventree_perms.has_model_perm('core_alice', NULL, 'bogus'), NULL,
		  'NULL model with an unknown action -> NULL, not 22023');
SELECT is(inventree_perms.has_model_perm(NULL, NULL, NULL), NULL, 'all NULL -> NULL');
SELECT is(inventree_perms.has_model_perm(NULL, 'view'), NULL, '2-arg: NULL model -> NULL');
SELECT is(inventree_perms.has_model_perm('core_part', NULL), NULL, '2-arg: NULL action -> NULL');

-- 2. unknown action -> 22023 (and "all" is unknown here)
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_alice', 'core_part', 'read')$$,
				 '22023', NULL, 'unknown action "read" -> 22023');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_alice', 'core_part', '')$$,
				 '22023', NULL, 'empty action -> 22023');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_alice', 'core_part', 'all')$$,
				 '22023', NULL, '"all" is unknown for has_model_perm -> 22023');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_alice', 'core_part', 'ALL')$$,
				 '22023', NULL, '"ALL" is unknown for has_model_perm -> 22023');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_alice', 'core_part', 'views')$$,
				 '22023', NULL, '"views" -> 22023');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_part', 'all')$$,
				 '22023', NULL, '2-arg: "all" -> 22023');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_alice', 'core_nosuch', 'bogus')$$,
				 '22023', NULL, 'unknown action is reported before an unregistered model');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_nobody', 'core_part', 'bogus')$$,
				 '22023', NULL, 'unknown action is an error even for an unknown user');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_carol', 'core_part', 'bogus')$$,
				 '22023', NULL, 'unknown action is an error even for a superuser');
SELECT ok(h LIKE '%view%' AND h LIKE '%add%' AND h LIKE '%change%' AND h LIKE '%delete%',
		  'the 22023 hint lists the valid actions: ' || coalesce(h, '(no hint)'))
	FROM pg_temp.hint_of($$SELECT inventree_perms.has_model_perm('core_alice', 'core_part', 'read')$$) h;

-- 3. unregistered (or malformed) model -> 42704
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_alice', 'core_nosuch', 'view')$$,
				 '42704', NULL, 'unregistered model -> 42704');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_alice', 'Core_Part', 'view')$$,
				 '42704', NULL, 'malformed model (upper case) -> 42704, not 22023');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_alice', 'no such model!', 'view')$$,
				 '42704', NULL, 'malformed model (spaces, punctuation) -> 42704');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_alice', '', 'view')$$,
				 '42704', NULL, 'empty model -> 42704');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_alice', repeat('a', 200), 'view')$$,
				 '42704', NULL, 'overlong model -> 42704');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_nobody', 'core_nosuch', 'view')$$,
				 '42704', NULL, 'unregistered model is an error even for an unknown user');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_carol', 'core_nosuch', 'view')$$,
				 '42704', NULL, 'unregistered model is an error even for a superuser');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_nosuch', 'view')$$,
				 '42704', NULL, '2-arg: unregistered model -> 42704');
SELECT ok(h LIKE '%register_model%', 'the 42704 hint names register_model: ' || coalesce(h, '(no hint)'))
	FROM pg_temp.hint_of($$SELECT inventree_perms.has_model_perm('core_alice', 'core_nosuch', 'view')$$) h;

-- 4. unknown user -> false; inactive -> false
SELECT is(inventree_perms.has_model_perm('core_nobody', 'core_part', 'view'), false, 'unknown user -> false');
SELECT is(inventree_perms.has_model_perm('CORE_ALICE', 'core_part', 'view'), false,
		  'user names are case-sensitive: CORE_ALICE is unknown -> false');
SELECT is(inventree_perms.has_model_perm('core_alice ', 'core_part', 'view'), false,
		  'a trailing space makes another (unknown) user -> false');
SELECT is(inventree_perms.has_model_perm('', 'core_part', 'view'), false, 'empty user name -> false');
SELECT is(inventree_perms.has_model_perm('core_bob', 'core_part', 'view'), false,
		  'inactive user with a direct grant of all -> false');
SELECT is(inventree_perms.has_model_perm('core_bob', 'core_stock', 'view'), false,
		  'inactive user with a group grant -> false');
SELECT is(inventree_perms.has_model_perm('core_dave', 'core_part', 'view'), false,
		  'inactive superuser -> false');
SELECT is(inventree_perms.has_model_perm('core_dave', 'user', 'change'), false,
		  'inactive superuser on the built-in model user -> false');

-- 5. active superuser -> true on every registered model and action
SELECT is(inventree_perms.has_model_perm('core_carol', 'core_part', a), true, 'superuser -> true for ' || a)
	FROM unnest(ARRAY['view', 'add', 'change', 'delete', 'edit']) a;
SELECT is(inventree_perms.has_model_perm('core_carol', 'user', 'change'), true, 'superuser -> true on user');
SELECT is(inventree_perms.has_model_perm('core_carol', 'group', 'delete'), true, 'superuser -> true on group');

-- 6. grants: direct, group, union over groups; no implication between actions
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_part', 'view'), true, 'direct grant view -> true');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_part', 'add'), false, 'view does not give add');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_part', 'change'), false, 'view does not give change');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_part', 'VIEW'), true, 'action in upper case');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_part', 'ViEw'), true, 'action in mixed case');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_stock', 'view'), true, 'group grant (Stock Team) -> true');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_stock', 'add'), true, 'group grant add -> true');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_stock', 'change'), true,
		  'union: change comes from the other group (core_sales)');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_stock', 'delete'), false, 'no group grants delete -> false');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_stock', 'edit'), true, 'edit = change (held)');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_stock', 'EDIT'), true, 'EDIT = change (held)');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_part', 'edit'), false, 'edit = change (not held) -> false');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_order', 'delete'), true, 'group grant delete -> true');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_order', 'view'), false,
		  'a grant of delete does not imply view');
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_part', 'view'), false, 'user without grants -> false');
SELECT is(inventree_perms.has_model_perm('core_erin', 'user', 'view'), false, 'user without grants on user -> false');

-- changes are seen at once, and undone by rollback
DO $$ BEGIN PERFORM inventree_perms.grant_user_perm('core_erin', 'core_part', 'delete'); END $$;
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_part', 'delete'), true, 'a new grant is seen by the next statement');
SAVEPOINT s1;
DO $$ BEGIN PERFORM inventree_perms.revoke_user_perm('core_erin', 'core_part', 'delete'); END $$;
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_part', 'delete'), false, 'a revoke is seen by the next statement');
ROLLBACK TO SAVEPOINT s1;
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_part', 'delete'), true, 'ROLLBACK TO SAVEPOINT brings the grant back');
DO $$ BEGIN PERFORM inventree_perms.set_user_active('core_bob', true); END $$;
SELECT is(inventree_perms.has_model_perm('core_bob', 'core_part', 'view'), true,
		  'reactivated user: its grant counts again');
DO $$ BEGIN PERFORM inventree_perms.remove_user_from_group('core_alice', 'core_sales'); END $$;
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_stock', 'change'), false,
		  'leaving a group loses what came only from it');
INSERT INTO inventree_perms.user_perms (username, model, action) VALUES ('core_erin', 'core_order', 'view');
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_order', 'view'), true, 'a direct INSERT into user_perms is seen');

-- open models (InvenTree's ignore list): every active user
DO $$ BEGIN PERFORM inventree_perms.register_model('core_open', open => true); END $$;
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_open', 'delete'), true, 'open model -> true for an active user');
SELECT is(inventree_perms.has_model_perm('core_dave', 'core_open', 'view'), false, 'open model -> false for an inactive user');
SELECT is(inventree_perms.has_model_perm('core_nobody', 'core_open', 'view'), false, 'open model -> false for an unknown user');

-- the 2-argument form is about acting_user() (current_user by default)
SET LOCAL ROLE core_alice;
SELECT is(inventree_perms.has_model_perm('core_part', 'view'), true, '2-arg as role core_alice: view -> true');
SELECT is(inventree_perms.has_model_perm('core_part', 'add'), false, '2-arg as role core_alice: add -> false');
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_part', 'delete'), true,
		  'a plain role may ask about another user (3-arg)');
SET LOCAL ROLE core_plain;
SELECT is(inventree_perms.has_model_perm('core_part', 'view'), false, '2-arg as a role that is no user -> false');
RESET ROLE;
DO $$ BEGIN PERFORM inventree_perms.set_acting_user('core_carol'); END $$;
SELECT is(inventree_perms.has_model_perm('core_part', 'delete'), true, '2-arg acting as superuser core_carol -> true');
DO $$ BEGIN PERFORM inventree_perms.reset_acting_user(); END $$;

SELECT * FROM finish();
ROLLBACK;
