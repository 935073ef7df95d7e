-- core_manage.sql -- SPEC "Managing": who may manage, NULLs, names, unknown
-- and duplicate objects, grants and revokes, register_model, drops, atomicity.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(516);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;

-- A fingerprint of every row of the extension's tables (audit log included).
CREATE FUNCTION pg_temp.state() RETURNS text
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT md5(concat_ws('|',
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.users t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.groups t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.memberships t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.models t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.user_perms t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.group_perms t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.roles t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.role_models t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.group_roles t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.delegates t),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM inventree_perms.protected t),
		(SELECT string_agg(t::text, ',' ORDER BY t.id) FROM inventree_perms.audit_log t)));
$$;
CREATE FUNCTION pg_temp.audit_rows() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT count(*) FROM inventree_perms.audit_log;
$$;
-- Two tests: the statement fails with that SQLSTATE, and nothing changed.
CREATE FUNCTION pg_temp.refused(cmd text, code text, descr text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	s0 text := pg_temp.state();
BEGIN
	RETURN NEXT throws_ok(cmd, code, NULL, descr || ' -> ' || code);
	RETURN NEXT is(pg_temp.state(), s0, descr || ': nothing changed');
END $$;
-- Two tests: the statement succeeds, and it wrote exactly n audit rows.
CREATE FUNCTION pg_temp.does(cmd text, n int, descr text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	a0 bigint := pg_temp.audit_rows();
BEGIN
	RETURN NEXT lives_ok(cmd, descr);
	RETURN NEXT is(pg_temp.audit_rows() - a0, n::bigint, descr || ': ' || n || ' audit row(s)');
END $$;
CREATE FUNCTION pg_temp.uperms(u text, m text) RETURNS text
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(string_agg(action, ',' ORDER BY array_position('{view,add,change,delete}'::text[], action)), '')
	FROM inventree_perms.user_perms WHERE username = u AND model = m;
$$;
CREATE FUNCTION pg_temp.gperms(g text, m text) RETURNS text
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT coalesce(string_agg(action, ',' ORDER BY array_position('{view,add,change,delete}'::text[], action)), '')
	FROM inventree_perms.group_perms WHERE groupname = g AND model = m;
$$;

CREATE ROLE core_plain;		-- no user row
CREATE ROLE core_alice;		-- a user, not an administrator
CREATE ROLE core_bob;		-- inactive user holding change on user
CREATE ROLE core_mgr;		-- holds change on user: an administrator, not a superuser
CREATE ROLE core_carol;		-- an active superuser of the extension
CREATE ROLE core_app;
CREATE TABLE public.core_t1 (id int);
CREATE TABLE public.core_t2 (id int);
CREATE TABLE public.core_plain_tbl (id int);
ALTER TABLE public.core_plain_tbl OWNER TO core_plain;
DO $$
BEGIN
	PERFORM inventree_perms.register_model('core_part');
	PERFORM inventree_perms.register_model('core_stock');
	PERFORM inventree_perms.create_user('core_alice');
	PERFORM inventree_perms.create_user('core_bob', false, false);
	PERFORM inventree_perms.create_user('core_mgr');
	PERFORM inventree_perms.create_user('core_carol', true);
	PERFORM inventree_perms.create_user('core_dave', true, false);
	PERFORM inventree_perms.create_user('core_erin');
	PERFORM inventree_perms.create_group('Stock Team');
	PERFORM inventree_perms.create_group('core_sales');
	PERFORM inventree_perms.add_user_to_group('core_alice', 'Stock Team');
	PERFORM inventree_perms.grant_user_perm('core_alice', 'core_part', 'view');
	PERFORM inventree_perms.grant_user_perm('core_alice', 'user', 'view');
	PERFORM inventree_perms.grant_user_perm('core_alice', 'user', 'add');
	PERFORM inventree_perms.grant_user_perm('core_alice', 'user', 'delete');
	PERFORM inventree_perms.grant_user_perm('core_bob', 'user', 'change');
	PERFORM inventree_perms.grant_user_perm('core_mgr', 'user', 'change');
	PERFORM inventree_perms.grant_group_perm('Stock Team', 'core_stock', 'view');
	PERFORM inventree_perms.add_delegate('core_app');
END $$;

-- ---------------------------------------------------------------------------
-- 42501 for everyone who is not an administrator, on every management
-- function, whatever the target (each target exists, so nothing else fails).
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE mgmt_calls (n serial, fn text, cmd text);
GRANT SELECT ON mgmt_calls TO PUBLIC;
INSERT INTO mgmt_calls (fn, cmd) VALUES
	('create_user', $$SELECT inventree_perms.create_user('core_new')$$),
	('drop_user', $$SELECT inventree_perms.drop_user('core_erin')$$),
	('set_user_active', $$SELECT inventree_perms.set_user_active('core_erin', false)$$),
	('set_user_superuser', $$SELECT inventree_perms.set_user_superuser('core_erin', true)$$),
	('create_group', $$SELECT inventree_perms.create_group('core_new_group')$$),
	('drop_group', $$SELECT inventree_perms.drop_group('Stock Team')$$),
	('add_user_to_group', $$SELECT inventree_perms.add_user_to_group('core_erin', 'Stock Team')$$),
	('remove_user_from_group', $$SELECT inventree_perms.remove_user_from_group('core_alice', 'Stock Team')$$),
	('register_model', $$SELECT inventree_perms.register_model('core_new_model')$$),
	('unregister_model', $$SELECT inventree_perms.unregister_model('core_part')$$),
	('grant_user_perm', $$SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', 'view')$$),
	('revoke_user_perm', $$SELECT inventree_perms.revoke_user_perm('core_alice', 'core_part', 'view')$$),
	('grant_group_perm', $$SELECT inventree_perms.grant_group_perm('Stock Team', 'core_part', 'view')$$),
	('revoke_group_perm', $$SELECT inventree_perms.revoke_group_perm('Stock Team', 'core_stock', 'view')$$),
	('add_delegate', $$SELECT inventree_perms.add_delegate('core_plain')$$),
	('remove_delegate', $$SELECT inventree_perms.remove_delegate('core_app')$$),
	('audit', $$SELECT * FROM inventree_perms.audit()$$),
	('user_permissions (another user)', $$SELECT * FROM inventree_perms.user_permissions('core_erin')$$),
	('create_role', $$SELECT inventree_perms.create_role('core_role')$$),
	('drop_role', $$SELECT inventree_perms.drop_role('part')$$),
	('add_model_to_role', $$SELECT inventree_perms.add_model_to_role('part', 'core_part')$$),
	('remove_model_from_role', $$SELECT inventree_perms.remove_model_from_role('part', 'part_part')$$),
	('grant_group_role', $$SELECT inventree_perms.grant_group_role('Stock Team', 'part', 'view')$$),
	('revoke_group_role', $$SELECT inventree_perms.revoke_group_role('Stock Team', 'part', 'view')$$),
	('protect', $$SELECT inventree_perms.protect('public.core_plain_tbl')$$),
	('import_django', $$SELECT * FROM inventree_perms.import_django('public')$$),
	('link_django', $$SELECT inventree_perms.link_django('public')$$),
	('unlink_django', $$SELECT inventree_perms.unlink_django('public')$$);

-- a role that is no user
SET LOCAL ROLE core_plain;
SELECT pg_temp.refused(cmd, '42501', 'role that is no user: ' || fn) FROM mgmt_calls ORDER BY n;
SELECT pg_temp.refused($$SELECT inventree_perms.set_acting_user('core_carol')$$, '42501',
					   'role that is no user: set_acting_user');
RESET ROLE;
-- an active user holding view, add and delete on model user, but not change
SET LOCAL ROLE core_alice;
SELECT pg_temp.refused(cmd, '42501', 'user without change on user: ' || fn) FROM mgmt_calls ORDER BY n;
RESET ROLE;
-- an inactive user holding change on model user
SET LOCAL ROLE core_bob;
SELECT pg_temp.refused(cmd, '42501', 'inactive user with change on user: ' || fn)
	FROM mgmt_calls WHERE fn IN ('create_user', 'grant_user_perm', 'create_group', 'audit') ORDER BY n;
RESET ROLE;
-- a delegate acting as a non-administrator is no administrator
SET LOCAL ROLE core_app;
DO $$ BEGIN PERFORM inventree_perms.set_acting_user('core_alice'); END $$;
SELECT pg_temp.refused(cmd, '42501', 'delegate acting as core_alice: ' || fn)
	FROM mgmt_calls WHERE fn IN ('create_user', 'grant_user_perm') ORDER BY n;
DO $$ BEGIN PERFORM inventree_perms.reset_acting_user(); END $$;
RESET ROLE;

-- ---------------------------------------------------------------------------
-- A holder of change on model user manages, but cannot touch superusers.
-- ---------------------------------------------------------------------------
SET LOCAL ROLE core_mgr;
SELECT pg_temp.does($$SELECT inventree_perms.create_user('core_made')$$, 1, 'manager: create_user');
SELECT pg_temp.does($$SELECT inventree_perms.create_group('core_made_group')$$, 1, 'manager: create_group');
SELECT pg_temp.does($$SELECT inventree_perms.add_user_to_group('core_made', 'core_made_group')$$, 1, 'manager: add_user_to_group');
SELECT pg_temp.does($$SELECT inventree_perms.register_model('core_made_model')$$, 1, 'manager: register_model');
SELECT pg_temp.does($$SELECT inventree_perms.grant_user_perm('core_made', 'core_made_model', 'view')$$, 1, 'manager: grant_user_perm');
SELECT pg_temp.does($$SELECT inventree_perms.grant_group_perm('core_made_group', 'core_made_model', 'add')$$, 1, 'manager: grant_group_perm');
SELECT pg_temp.does($$SELECT inventree_perms.revoke_group_perm('core_made_group', 'core_made_model', 'add')$$, 1, 'manager: revoke_group_perm');
SELECT pg_temp.does($$SELECT inventree_perms.revoke_user_perm('core_made', 'core_made_model', 'view')$$, 1, 'manager: revoke_user_perm');
SELECT pg_temp.does($$SELECT inventree_perms.set_user_active('core_made', false)$$, 1, 'manager: set_user_active (not a superuser)');
SELECT pg_temp.does($$SELECT inventree_perms.remove_user_from_group('core_made', 'core_made_group')$$, 1, 'manager: remove_user_from_group');
SELECT pg_temp.does($$SELECT inventree_perms.grant_user_perm('core_carol', 'core_part', 'view')$$, 1,
					'manager: granting to a superuser is allowed');
SELECT pg_temp.does($$SELECT inventree_perms.add_user_to_group('core_carol', 'core_made_group')$$, 1,
					'manager: adding a superuser to a group is allowed');
SELECT pg_temp.does($$SELECT * FROM inventree_perms.audit()$$, 0, 'manager: audit() is allowed');
SELECT pg_temp.does($$SELECT inventree_perms.drop_group('core_made_group')$$, 1, 'manager: drop_group');
SELECT pg_temp.does($$SELECT inventree_perms.unregister_model('core_made_model')$$, 1, 'manager: unregister_model');
SELECT pg_temp.does($$SELECT inventree_perms.drop_user('core_made')$$, 1, 'manager: drop_user');
SELECT pg_temp.refused($$SELECT inventree_perms.create_user('core_super2', true)$$, '42501', 'manager: create a superuser');
SELECT pg_temp.refused($$SELECT inventree_perms.set_user_superuser('core_erin', true)$$, '42501', 'manager: make a user superuser');
SELECT pg_temp.refused($$SELECT inventree_perms.set_user_superuser('core_mgr', true)$$, '42501', 'manager: make himself superuser');
SELECT pg_temp.refused($$SELECT inventree_perms.set_user_superuser('core_carol', false)$$, '42501', 'manager: demote a superuser');
SELECT pg_temp.refused($$SELECT inventree_perms.set_user_superuser('core_erin', false)$$, '42501',
					   'manager: set_user_superuser at all, even a no-op');
SELECT pg_temp.refused($$SELECT inventree_perms.set_user_active('core_carol', false)$$, '42501', 'manager: deactivate a superuser');
SELECT pg_temp.refused($$SELECT inventree_perms.set_user_active('core_dave', true)$$, '42501', 'manager: activate an inactive superuser');
SELECT pg_temp.refused($$SELECT inventree_perms.drop_user('core_carol')$$, '42501', 'manager: drop a superuser');
SELECT pg_temp.refused($$SELECT inventree_perms.drop_user('core_dave')$$, '42501', 'manager: drop an inactive superuser');
SELECT pg_temp.refused($$SELECT inventree_perms.add_delegate('core_plain')$$, '42501', 'manager: add_delegate');
RESET ROLE;
SELECT is(inventree_perms.has_model_perm('core_carol', 'core_part', 'view'), true, 'superuser still a superuser');
-- an active superuser of the extension (a role that is not a PostgreSQL superuser) may
SET LOCAL ROLE core_carol;
SELECT pg_temp.does($$SELECT inventree_perms.set_user_superuser('core_erin', true)$$, 1, 'extension superuser: set_user_superuser');
SELECT pg_temp.does($$SELECT inventree_perms.set_user_superuser('core_erin', false)$$, 1, 'extension superuser: and back');
SELECT pg_temp.does($$SELECT inventree_perms.create_user('core_super3', true)$$, 1, 'extension superuser: create a superuser');
SELECT pg_temp.does($$SELECT inventree_perms.drop_user('core_super3')$$, 1, 'extension superuser: drop a superuser');
RESET ROLE;
-- a delegate acting as an active superuser user is an administrator
SET LOCAL ROLE core_app;
DO $$ BEGIN PERFORM inventree_perms.set_acting_user('core_carol'); END $$;
SELECT pg_temp.does($$SELECT inventree_perms.create_group('core_app_group')$$, 1, 'delegate acting as core_carol: create_group');
DO $$ BEGIN PERFORM inventree_perms.reset_acting_user(); END $$;
RESET ROLE;

-- ---------------------------------------------------------------------------
-- NULL arguments -> 22004, nothing changed (NULL is allowed only where it is
-- the declared default: register_model's relation and description).
-- ---------------------------------------------------------------------------
SELECT pg_temp.refused(c, '22004', 'NULL: ' || c) FROM unnest(ARRAY[
	$$SELECT inventree_perms.create_user(NULL)$$,
	$$SELECT inventree_perms.create_user('core_n', NULL)$$,
	$$SELECT inventree_perms.create_user('core_n', false, NULL)$$,
	$$SELECT inventree_perms.drop_user(NULL)$$,
	$$SELECT inventree_perms.set_user_active(NULL, true)$$,
	$$SELECT inventree_perms.set_user_active('core_erin', NULL)$$,
	$$SELECT inventree_perms.set_user_superuser(NULL, true)$$,
	$$SELECT inventree_perms.set_user_superuser('core_erin', NULL)$$,
	$$SELECT inventree_perms.create_group(NULL)$$,
	$$SELECT inventree_perms.drop_group(NULL)$$,
	$$SELECT inventree_perms.add_user_to_group(NULL, 'Stock Team')$$,
	$$SELECT inventree_perms.add_user_to_group('core_erin', NULL)$$,
	$$SELECT inventree_perms.remove_user_from_group(NULL, 'Stock Team')$$,
	$$SELECT inventree_perms.remove_user_from_group('core_alice', NULL)$$,
	$$SELECT inventree_perms.register_model(NULL)$$,
	$$SELECT inventree_perms.register_model('core_n', NULL, NULL, NULL)$$,
	$$SELECT inventree_perms.unregister_model(NULL)$$,
	$$SELECT inventree_perms.grant_user_perm(NULL, 'core_part', 'view')$$,
	$$SELECT inventree_perms.grant_user_perm('core_erin', NULL, 'view')$$,
	$$SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', NULL)$$,
	$$SELECT inventree_perms.revoke_user_perm(NULL, 'core_part', 'view')$$,
	$$SELECT inventree_perms.revoke_user_perm('core_alice', NULL, 'view')$$,
	$$SELECT inventree_perms.revoke_user_perm('core_alice', 'core_part', NULL)$$,
	$$SELECT inventree_perms.grant_group_perm(NULL, 'core_part', 'view')$$,
	$$SELECT inventree_perms.grant_group_perm('Stock Team', NULL, 'view')$$,
	$$SELECT inventree_perms.grant_group_perm('Stock Team', 'core_part', NULL)$$,
	$$SELECT inventree_perms.revoke_group_perm(NULL, 'core_stock', 'view')$$,
	$$SELECT inventree_perms.revoke_group_perm('Stock Team', NULL, 'view')$$,
	$$SELECT inventree_perms.revoke_group_perm('Stock Team', 'core_stock', NULL)$$,
	$$SELECT inventree_perms.add_delegate(NULL)$$,
	$$SELECT inventree_perms.remove_delegate(NULL)$$,
	$$SELECT * FROM inventree_perms.audit(NULL)$$]) c;
SELECT pg_temp.does($$SELECT inventree_perms.register_model('core_nulls_ok', NULL, NULL)$$, 1,
					'register_model: NULL relation and description are the defaults, accepted');

-- ---------------------------------------------------------------------------
-- Names: bad ones -> 22023 and nothing changed; what Django allows is fine.
-- ---------------------------------------------------------------------------
SELECT pg_temp.refused(format('SELECT inventree_perms.create_user(%L)', n), '22023', 'create_user bad name ' || d)
	FROM (VALUES ('', 'empty'), (repeat('u', 151), '151 chars'), (repeat('é', 151), '151 non-ASCII chars'),
				 (' core_lead', 'leading space'), ('core_trail ', 'trailing space'),
				 (E'core_trail\t', 'trailing tab'), (E'\ncore_lead', 'leading newline'), (' ', 'a space only'),
				 (E'core\tx', 'tab inside'), (E'core\nx', 'newline inside'),
				 (E'core\x01x', 'control char 0x01'), (E'core\x7fx', 'DEL'),
				 (E'\u00a0core_nbsp', 'leading no-break space'), (E'core_ideo\u3000', 'trailing ideographic space'),
				 (E'core\u0085x', 'C1 control NEL'), (E'core\u009fx', 'C1 control 0x9f')) v(n, d);
SELECT pg_temp.refused(format('SELECT inventree_perms.create_group(%L)', n), '22023', 'create_group bad name ' || d)
	FROM (VALUES ('', 'empty'), (repeat('g', 151), '151 chars'), (' Sales', 'leading space'),
				 ('Sales ', 'trailing space'), (E'Sa\x02les', 'control char')) v(n, d);
SELECT pg_temp.refused(format('SELECT inventree_perms.register_model(%L)', n), '22023', 'register_model bad name ' || d)
	FROM (VALUES ('', 'empty'), ('Part', 'upper case'), ('1part', 'leading digit'), ('_part', 'leading underscore'),
				 ('part-x', 'hyphen'), ('part x', 'space'), (repeat('m', 64), '64 chars')) v(n, d);
SELECT pg_temp.refused($$SELECT inventree_perms.grant_user_perm('', 'core_part', 'view')$$, '22023', 'grant_user_perm to an empty user name');
SELECT pg_temp.refused($$SELECT inventree_perms.grant_group_perm(' Stock Team', 'core_part', 'view')$$, '22023',
					   'grant_group_perm to a group name with a leading space');
SELECT pg_temp.does(format('SELECT inventree_perms.create_user(%L)', n), 1, 'create_user accepts ' || d)
	FROM (VALUES ('p.kowalski@example.com', 'an e-mail'), ('Sales Team', 'a space inside'),
				 ('AliceW', 'AliceW'), ('alicew', 'alicew beside AliceW'), (repeat('u', 150), '150 chars'),
				 (repeat('é', 150), '150 non-ASCII chars'), ('a', 'one char'), ('x+y-z_w', '+ - _'),
				 ('zoë', 'a non-ASCII letter')) v(n, d);
SELECT is((SELECT count(*) FROM inventree_perms.users WHERE lower(name) = 'alicew'), 2::bigint,
		  'AliceW and alicew are two users');
SELECT is((SELECT count(*) FROM inventree_perms.users
		   WHERE name IN ('p.kowalski@example.com', 'Sales Team', 'AliceW', 'alicew', repeat('u', 150),
						  repeat('é', 150), 'a', 'x+y-z_w', 'zoë')), 9::bigint, 'names are stored as given');
SELECT pg_temp.does(format('SELECT inventree_perms.create_group(%L)', n), 1, 'create_group accepts ' || d)
	FROM (VALUES ('Sales Team', 'a space inside'), ('stock team', 'stock team beside Stock Team'),
				 (repeat('g', 150), '150 chars'), ('R&D / Lab #2', 'punctuation')) v(n, d);
SELECT pg_temp.does(format('SELECT inventree_perms.register_model(%L)', n), 1, 'register_model accepts ' || d)
	FROM (VALUES (repeat('m', 63), '63 chars'), ('p', 'one letter'), ('app.model_x9', 'dots, digits, underscores')) v(n, d);
SELECT pg_temp.does($$SELECT inventree_perms.add_user_to_group('p.kowalski@example.com', 'Sales Team')$$, 1,
					'membership with Django-style names');
SELECT pg_temp.does($$SELECT inventree_perms.grant_group_perm('Sales Team', 'core_part', 'view')$$, 1,
					'grant to a group with a space in its name');
SELECT is(inventree_perms.has_model_perm('p.kowalski@example.com', 'core_part', 'view'), true,
		  'the e-mail user has the grant through "Sales Team"');
SELECT is(inventree_perms.has_model_perm('AliceW', 'core_part', 'view'), false, 'AliceW has nothing');

-- duplicates -> 42710
SELECT pg_temp.refused($$SELECT inventree_perms.create_user('core_alice')$$, '42710', 'duplicate user');
SELECT pg_temp.refused($$SELECT inventree_perms.create_user('core_carol', true)$$, '42710', 'duplicate superuser');
SELECT pg_temp.refused($$SELECT inventree_perms.create_group('Stock Team')$$, '42710', 'duplicate group');

-- unknown user, group, model -> 42704; unknown action -> 22023
SELECT pg_temp.refused(c, '42704', 'unknown: ' || c) FROM unnest(ARRAY[
	$$SELECT inventree_perms.drop_user('core_nobody')$$,
	$$SELECT inventree_perms.drop_user('CORE_ALICE')$$,
	$$SELECT inventree_perms.set_user_active('core_nobody', false)$$,
	$$SELECT inventree_perms.set_user_superuser('core_nobody', true)$$,
	$$SELECT inventree_perms.drop_group('core_nogroup')$$,
	$$SELECT inventree_perms.drop_group('stock Team')$$,
	$$SELECT inventree_perms.add_user_to_group('core_nobody', 'Stock Team')$$,
	$$SELECT inventree_perms.add_user_to_group('core_erin', 'core_nogroup')$$,
	$$SELECT inventree_perms.remove_user_from_group('core_nobody', 'Stock Team')$$,
	$$SELECT inventree_perms.remove_user_from_group('core_alice', 'core_nogroup')$$,
	$$SELECT inventree_perms.unregister_model('core_nomodel')$$,
	$$SELECT inventree_perms.grant_user_perm('core_nobody', 'core_part', 'view')$$,
	$$SELECT inventree_perms.grant_user_perm('core_erin', 'core_nomodel', 'view')$$,
	$$SELECT inventree_perms.revoke_user_perm('core_nobody', 'core_part', 'view')$$,
	$$SELECT inventree_perms.revoke_user_perm('core_alice', 'core_nomodel', 'view')$$,
	$$SELECT inventree_perms.grant_group_perm('core_nogroup', 'core_part', 'view')$$,
	$$SELECT inventree_perms.grant_group_perm('Stock Team', 'core_nomodel', 'view')$$,
	$$SELECT inventree_perms.revoke_group_perm('core_nogroup', 'core_stock', 'view')$$,
	$$SELECT inventree_perms.revoke_group_perm('Stock Team', 'core_nomodel', 'view')$$]) c;
SELECT pg_temp.refused(c, '22023', 'unknown action: ' || c) FROM unnest(ARRAY[
	$$SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', 'read')$$,
	$$SELECT inventree_perms.revoke_user_perm('core_alice', 'core_part', 'read')$$,
	$$SELECT inventree_perms.grant_group_perm('Stock Team', 'core_part', '')$$,
	$$SELECT inventree_perms.revoke_group_perm('Stock Team', 'core_stock', 'everything')$$]) c;

-- ---------------------------------------------------------------------------
-- Grants and revokes: canonical words, edit, all, idempotence (no audit row)
-- ---------------------------------------------------------------------------
SELECT pg_temp.does($$SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', 'all')$$, 1, 'grant all (one audit row)');
SELECT is(pg_temp.uperms('core_erin', 'core_part'), 'view,add,change,delete', 'grant all = the four actions');
SELECT pg_temp.does($$SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', 'all')$$, 0, 'grant all again: no-op');
SELECT pg_temp.does($$SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', 'VIEW')$$, 0, 'grant held VIEW: no-op');
SELECT pg_temp.does($$SELECT inventree_perms.revoke_user_perm('core_erin', 'core_part', 'ALL')$$, 1, 'revoke ALL');
SELECT is(pg_temp.uperms('core_erin', 'core_part'), '', 'revoke all leaves nothing');
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_part', 'view'), false, 'revoked: no view');
SELECT pg_temp.does($$SELECT inventree_perms.revoke_user_perm('core_erin', 'core_part', 'all')$$, 0, 'revoke all again: no-op');
SELECT pg_temp.does($$SELECT inventree_perms.revoke_user_perm('core_erin', 'core_part', 'view')$$, 0, 'revoke what is not held: no-op');
SELECT pg_temp.does($$SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', 'Edit')$$, 1, 'grant Edit');
SELECT is(pg_temp.uperms('core_erin', 'core_part'), 'change', 'Edit is stored as change');
SELECT pg_temp.does($$SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', 'change')$$, 0, 'grant change after edit: no-op');
SELECT pg_temp.does($$SELECT inventree_perms.grant_user_perm('core_erin', 'core_part', 'all')$$, 1, 'grant all on top of change');
SELECT is(pg_temp.uperms('core_erin', 'core_part'), 'view,add,change,delete', 'all added the other three');
SELECT pg_temp.does($$SELECT inventree_perms.revoke_user_perm('core_erin', 'core_part', 'EDIT')$$, 1, 'revoke EDIT');
SELECT is(pg_temp.uperms('core_erin', 'core_part'), 'view,add,delete', 'EDIT revoked change only');
SELECT pg_temp.does($$SELECT inventree_perms.grant_group_perm('core_sales', 'core_part', 'all')$$, 1, 'group: grant all');
SELECT is(pg_temp.gperms('core_sales', 'core_part'), 'view,add,change,delete', 'group: all = the four actions');
SELECT pg_temp.does($$SELECT inventree_perms.grant_group_perm('core_sales', 'core_part', 'delete')$$, 0, 'group: grant held: no-op');
SELECT pg_temp.does($$SELECT inventree_perms.revoke_group_perm('core_sales', 'core_part', 'all')$$, 1, 'group: revoke all');
SELECT is(pg_temp.gperms('core_sales', 'core_part'), '', 'group: revoke all leaves nothing');
SELECT pg_temp.does($$SELECT inventree_perms.revoke_group_perm('core_sales', 'core_part', 'add')$$, 0, 'group: revoke not held: no-op');
SELECT pg_temp.does($$SELECT inventree_perms.grant_group_perm('core_sales', 'core_part', 'edit')$$, 1, 'group: grant edit');
SELECT is(pg_temp.gperms('core_sales', 'core_part'), 'change', 'group: edit is stored as change');
SELECT pg_temp.does($$SELECT inventree_perms.add_user_to_group('core_alice', 'Stock Team')$$, 0, 'add an existing member: no-op');
SELECT pg_temp.does($$SELECT inventree_perms.remove_user_from_group('core_erin', 'Stock Team')$$, 0, 'remove a non-member: no-op');
SELECT pg_temp.does($$SELECT inventree_perms.set_user_active('core_erin', true)$$, 0, 'set_user_active to what it is: no-op');
SELECT pg_temp.does($$SELECT inventree_perms.set_user_superuser('core_erin', false)$$, 0, 'set_user_superuser to what it is: no-op');
SELECT pg_temp.does($$SELECT inventree_perms.grant_user_perm('core_carol', 'core_stock', 'add')$$, 1, 'grant to a superuser');
SELECT is((SELECT is_superuser FROM inventree_perms.users WHERE name = 'core_carol'), true, 'the grant did not alter the superuser');

-- ---------------------------------------------------------------------------
-- register_model / unregister_model
-- ---------------------------------------------------------------------------
SELECT pg_temp.does($$SELECT inventree_perms.register_model('core_reg', 'public.core_t1', 'Reg', false)$$, 1, 'register_model bound to core_t1');
SELECT pg_temp.does($$SELECT inventree_perms.register_model('core_reg', 'public.core_t1', 'Reg', false)$$, 0, 'same arguments again: no-op');
SELECT pg_temp.refused($$SELECT inventree_perms.register_model('core_reg', 'public.core_t2', 'Reg', false)$$, '42710',
					   'same name, another relation');
SELECT pg_temp.does($$SELECT inventree_perms.register_model('core_reg', 'public.core_t1', 'Registered', false)$$, 1, 'new description');
SELECT is((SELECT description FROM inventree_perms.models WHERE name = 'core_reg'), 'Registered', 'description updated');
SELECT pg_temp.does($$SELECT inventree_perms.register_model('core_reg', 'public.core_t1', 'Registered', true)$$, 1, 'open flag set');
SELECT is((SELECT is_open FROM inventree_perms.models WHERE name = 'core_reg'), true, 'open flag updated');
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_reg', 'delete'), true, 'now open to an active user');
SELECT pg_temp.does($$SELECT inventree_perms.register_model('core_reg', 'public.core_t1', 'Registered', false)$$, 1, 'open flag cleared');
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_reg', 'delete'), false, 'closed again');
SELECT is((SELECT relation FROM inventree_perms.models WHERE name = 'core_reg'), 'public.core_t1'::regclass, 'still bound to core_t1');
SELECT pg_temp.refused($$SELECT inventree_perms.unregister_model('user')$$, '42501', 'unregister built-in user (as PostgreSQL superuser)');
SELECT pg_temp.refused($$SELECT inventree_perms.unregister_model('group')$$, '42501', 'unregister built-in group (as PostgreSQL superuser)');
SELECT pg_temp.does($$SELECT inventree_perms.grant_user_perm('core_erin', 'core_reg', 'view')$$, 1, 'grant on core_reg (user)');
SELECT pg_temp.does($$SELECT inventree_perms.grant_group_perm('Stock Team', 'core_reg', 'add')$$, 1, 'grant on core_reg (group)');
SELECT pg_temp.does($$SELECT inventree_perms.unregister_model('core_reg')$$, 1, 'unregister core_reg');
SELECT is((SELECT count(*) FROM inventree_perms.user_perms WHERE model = 'core_reg')
		+ (SELECT count(*) FROM inventree_perms.group_perms WHERE model = 'core_reg'), 0::bigint, 'its grants are gone');
SELECT throws_ok($$SELECT inventree_perms.has_model_perm('core_erin', 'core_reg', 'view')$$, '42704', NULL,
				 'an unregistered model is unknown to the check');
SELECT pg_temp.does($$SELECT inventree_perms.register_model('core_reg')$$, 1, 'register it again');
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_reg', 'view'), false, 'old grants do not come back');

-- ---------------------------------------------------------------------------
-- drop_user / drop_group remove grants and memberships
-- ---------------------------------------------------------------------------
SELECT pg_temp.does($$SELECT inventree_perms.drop_user('core_alice')$$, 1, 'drop_user core_alice');
SELECT is((SELECT count(*) FROM inventree_perms.user_perms WHERE username = 'core_alice')
		+ (SELECT count(*) FROM inventree_perms.memberships WHERE username = 'core_alice'), 0::bigint,
		  'her grants and memberships are gone');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_part', 'view'), false, 'dropped user -> false');
SELECT pg_temp.does($$SELECT inventree_perms.create_user('core_alice')$$, 1, 'create core_alice again');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_part', 'view'), false, 'her old direct grant does not come back');
SELECT is(inventree_perms.has_model_perm('core_alice', 'core_stock', 'view'), false, 'her old group membership does not come back');
SELECT pg_temp.does($$SELECT inventree_perms.add_user_to_group('core_erin', 'Stock Team')$$, 1, 'erin joins Stock Team');
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_stock', 'view'), true, 'erin views stock through Stock Team');
SELECT pg_temp.does($$SELECT inventree_perms.drop_group('Stock Team')$$, 1, 'drop_group Stock Team');
SELECT is((SELECT count(*) FROM inventree_perms.group_perms WHERE groupname = 'Stock Team')
		+ (SELECT count(*) FROM inventree_perms.memberships WHERE groupname = 'Stock Team'), 0::bigint,
		  'its grants and memberships are gone');
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_stock', 'view'), false, 'erin lost what came from the group');
SELECT pg_temp.does($$SELECT inventree_perms.create_group('Stock Team')$$, 1, 'create Stock Team again');
SELECT is((SELECT count(*) FROM inventree_perms.group_perms WHERE groupname = 'Stock Team')
		+ (SELECT count(*) FROM inventree_perms.memberships WHERE groupname = 'Stock Team'), 0::bigint,
		  'the new group is empty');

-- ---------------------------------------------------------------------------
-- Atomicity: a failing statement leaves nothing, and the check is not stale
-- ---------------------------------------------------------------------------
SELECT pg_temp.refused($$SELECT inventree_perms.create_user('core_atom'), 1/0$$, '22012', 'create_user then an error');
SELECT is((SELECT count(*) FROM inventree_perms.users WHERE name = 'core_atom'), 0::bigint, 'no user core_atom');
SELECT pg_temp.refused($$SELECT inventree_perms.grant_user_perm('core_erin', 'core_stock', 'all'),
								inventree_perms.has_model_perm('core_erin', 'core_stock', 'view')::int / 0$$, '22012',
					   'grant, check (fills the cache), then an error');
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_stock', 'view'), false, 'after the failed grant: no view (not stale)');
SELECT pg_temp.refused($q$DO $do$ BEGIN
		PERFORM inventree_perms.grant_user_perm('core_erin', 'core_stock', 'view');
		PERFORM inventree_perms.create_user('core_erin');
	END $do$$q$, '42710', 'grant then a duplicate user in one DO block');
SELECT is(inventree_perms.has_model_perm('core_erin', 'core_stock', 'view'), false, 'after the failed block: no view');

SELECT * FROM finish();
ROLLBACK;
