-- core_audit.sql -- SPEC "Seeing: audit_log": one row per changing
-- management call, none for no-ops, who did it, append-only, audit().
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(116);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;

CREATE FUNCTION pg_temp.audit_rows() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT count(*) FROM inventree_perms.audit_log;
$$;
CREATE FUNCTION pg_temp.last_audit() RETURNS inventree_perms.audit_log
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT * FROM inventree_perms.audit_log ORDER BY id DESC LIMIT 1;
$$;
-- Two tests: the statement succeeds, and it wrote exactly n audit rows.
CREATE FUNCTION pg_temp.does(cmd text, n int, descr text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
	a0 bigint := pg_temp.audit_rows();
BEGIN
	RETURN NEXT lives_ok(cmd, descr);
	RETURN NEXT is(pg_temp.audit_rows() - a0, n::bigint, descr || ': ' || n || ' audit row(s)');
END $$;

CREATE ROLE core_plain;
CREATE ROLE core_alice;
CREATE ROLE core_mgr;
CREATE TABLE public.core_t1 (id int);

SELECT is(pg_temp.audit_rows(), 0::bigint, 'CREATE EXTENSION leaves an empty audit log');

-- one row per changing call, of every management function
SELECT pg_temp.does(c, 1, 'changes: ' || c) FROM unnest(ARRAY[
	$$SELECT inventree_perms.register_model('core_part')$$,
	$$SELECT inventree_perms.register_model('core_bound', 'public.core_t1')$$,
	$$SELECT inventree_perms.register_model('core_part', NULL, 'Parts')$$,
	$$SELECT inventree_perms.create_user('core_alice')$$,
	$$SELECT inventree_perms.create_user('core_mgr')$$,
	$$SELECT inventree_perms.create_user('core_bob', false, false)$$,
	$$SELECT inventree_perms.create_group('Stock Team')$$,
	$$SELECT inventree_perms.add_user_to_group('core_alice', 'Stock Team')$$,
	$$SELECT inventree_perms.grant_user_perm('core_alice', 'core_part', 'all')$$,
	$$SELECT inventree_perms.revoke_user_perm('core_alice', 'core_part', 'all')$$,
	$$SELECT inventree_perms.grant_group_perm('Stock Team', 'core_part', 'view')$$,
	$$SELECT inventree_perms.revoke_group_perm('Stock Team', 'core_part', 'view')$$,
	$$SELECT inventree_perms.set_user_active('core_bob', true)$$,
	$$SELECT inventree_perms.set_user_superuser('core_bob', true)$$,
	$$SELECT inventree_perms.set_user_superuser('core_bob', false)$$,
	$$SELECT inventree_perms.remove_user_from_group('core_alice', 'Stock Team')$$,
	$$SELECT inventree_perms.add_delegate('core_plain')$$,
	$$SELECT inventree_perms.remove_delegate('core_plain')$$,
	$$SELECT inventree_perms.drop_group('Stock Team')$$,
	$$SELECT inventree_perms.unregister_model('core_bound')$$,
	$$SELECT inventree_perms.drop_user('core_bob')$$,
	$$SELECT inventree_perms.grant_user_perm('core_mgr', 'user', 'change')$$]) c;

-- no row for a no-op, nor for a refused or failed call
SELECT pg_temp.does(c, 0, 'no-op: ' || c) FROM unnest(ARRAY[
	$$SELECT inventree_perms.register_model('core_part', NULL, 'Parts')$$,
	$$SELECT inventree_perms.grant_user_perm('core_mgr', 'user', 'change')$$,
	$$SELECT inventree_perms.grant_user_perm('core_mgr', 'user', 'EDIT')$$,
	$$SELECT inventree_perms.revoke_user_perm('core_alice', 'core_part', 'view')$$,
	$$SELECT inventree_perms.revoke_user_perm('core_alice', 'core_part', 'all')$$,
	$$SELECT inventree_perms.set_user_active('core_alice', true)$$,
	$$SELECT inventree_perms.set_user_superuser('core_alice', false)$$,
	$$SELECT inventree_perms.remove_delegate('core_plain')$$,
	$$SELECT * FROM inventree_perms.audit()$$,
	$$SELECT inventree_perms.has_model_perm('core_alice', 'core_part', 'view')$$]) c;
DO $$ BEGIN
	PERFORM inventree_perms.create_group('core_g');
	PERFORM inventree_perms.add_user_to_group('core_alice', 'core_g');
	PERFORM inventree_perms.grant_group_perm('core_g', 'core_part', 'add');
END $$;
SELECT pg_temp.does(c, 0, 'no-op: ' || c) FROM unnest(ARRAY[
	$$SELECT inventree_perms.add_user_to_group('core_alice', 'core_g')$$,
	$$SELECT inventree_perms.remove_user_from_group('core_mgr', 'core_g')$$,
	$$SELECT inventree_perms.grant_group_perm('core_g', 'core_part', 'add')$$,
	$$SELECT inventree_perms.revoke_group_perm('core_g', 'core_part', 'delete')$$]) c;
SELECT pg_temp.audit_rows() AS a0 \gset
SELECT throws_ok($$SELECT inventree_perms.create_user('core_alice')$$, '42710', NULL, 'a duplicate create_user fails');
SELECT throws_ok($$SELECT inventree_perms.grant_user_perm('core_alice', 'core_part', 'all'), 1/0$$, '22012', NULL,
				 'a grant followed by an error in the same statement fails');
SELECT is(pg_temp.audit_rows(), :a0::bigint, 'no row for calls that failed');

-- who: the calling role and its acting user, never the functions' owner
SET LOCAL ROLE core_mgr;
SELECT lives_ok($$SELECT inventree_perms.create_user('core_by_mgr')$$, 'manager creates a user');
RESET ROLE;
SELECT is((pg_temp.last_audit()).session_role, 'core_mgr', 'session_role is the calling role, not the owner');
SELECT is((pg_temp.last_audit()).acting_user, 'core_mgr', 'acting_user is the caller''s acting user');
SELECT ok((pg_temp.last_audit()).at IS NOT NULL AND (pg_temp.last_audit()).at <= clock_timestamp(), 'the row has a time');
SELECT ok((pg_temp.last_audit()).operation IS NOT NULL, 'the row names an operation');
DO $$ BEGIN PERFORM inventree_perms.set_acting_user('core_alice'); END $$;
SELECT lives_ok($$SELECT inventree_perms.create_user('core_by_pg')$$, 'PostgreSQL superuser acting as core_alice creates a user');
DO $$ BEGIN PERFORM inventree_perms.reset_acting_user(); END $$;
SELECT is((pg_temp.last_audit()).session_role, current_user::text, 'session_role is the PostgreSQL role');
SELECT is((pg_temp.last_audit()).acting_user, 'core_alice', 'acting_user is the user it acted as');
SELECT ok((SELECT bool_and(a.id > b.id) FROM inventree_perms.audit_log a, inventree_perms.audit_log b
		   WHERE a.at > b.at), 'ids grow with time');

-- nobody but the owner has any privilege on it
SELECT is((SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a
		   WHERE c.oid = 'inventree_perms.audit_log'::regclass AND a.grantee = 0), 0::bigint,
		  'PUBLIC has no privilege on audit_log');
SELECT ok(NOT has_table_privilege('core_plain', 'inventree_perms.audit_log', p), 'a plain role has no ' || p || ' on audit_log')
	FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p;
SELECT ok(NOT has_table_privilege('core_mgr', 'inventree_perms.audit_log', 'SELECT'),
		  'an administrator has no SELECT either (audit() is the way)');
SELECT ok(NOT has_sequence_privilege('core_plain', 'inventree_perms.audit_log_id_seq', p), 'a plain role has no ' || p || ' on its sequence')
	FROM unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) p;

-- append-only, even for a PostgreSQL superuser
SELECT throws_ok($$UPDATE inventree_perms.audit_log SET operation = 'x'$$, '42501', NULL, 'superuser: UPDATE refused');
SELECT throws_ok($$UPDATE inventree_perms.audit_log SET detail = NULL WHERE id = (SELECT max(id) FROM inventree_perms.audit_log)$$,
				 '42501', NULL, 'superuser: UPDATE of one row refused');
SELECT throws_ok($$DELETE FROM inventree_perms.audit_log$$, '42501', NULL, 'superuser: DELETE refused');
SELECT throws_ok($$DELETE FROM inventree_perms.audit_log WHERE id = (SELECT min(id) FROM inventree_perms.audit_log)$$,
				 '42501', NULL, 'superuser: DELETE of one row refused');
SELECT throws_ok($$TRUNCATE inventree_perms.audit_log$$, '42501', NULL, 'superuser: TRUNCATE refused');
SET LOCAL ROLE core_plain;
SELECT throws_ok($$SELECT * FROM inventree_perms.audit_log$$, '42501', NULL, 'plain role: SELECT refused');
SELECT throws_ok($$INSERT INTO inventree_perms.audit_log (session_role, operation) VALUES ('x', 'forged')$$,
				 '42501', NULL, 'plain role: INSERT refused');
SELECT throws_ok($$UPDATE inventree_perms.audit_log SET operation = 'x'$$, '42501', NULL, 'plain role: UPDATE refused');
SELECT throws_ok($$DELETE FROM inventree_perms.audit_log$$, '42501', NULL, 'plain role: DELETE refused');
RESET ROLE;
SET LOCAL ROLE core_mgr;
SELECT throws_ok($$DELETE FROM inventree_perms.audit_log$$, '42501', NULL, 'administrator: DELETE refused');
RESET ROLE;
SELECT is((SELECT count(*) FROM inventree_perms.audit_log WHERE operation = 'x' OR operation = 'forged'), 0::bigint,
		  'no row was altered or forged');

-- audit(): administrators only
SET LOCAL ROLE core_plain;
SELECT throws_ok($$SELECT * FROM inventree_perms.audit()$$, '42501', NULL, 'audit(): plain role -> 42501');
RESET ROLE;
SET LOCAL ROLE core_alice;
SELECT throws_ok($$SELECT * FROM inventree_perms.audit()$$, '42501', NULL, 'audit(): a non-administrator user -> 42501');
SELECT throws_ok($$SELECT * FROM inventree_perms.audit(now())$$, '42501', NULL, 'audit(since): a non-administrator user -> 42501');
RESET ROLE;
SET LOCAL ROLE core_mgr;
SELECT is((SELECT count(*) FROM inventree_perms.audit()), pg_temp.audit_rows(), 'audit(): an administrator sees every row');
SELECT is((SELECT count(*) FROM inventree_perms.audit('infinity')), 0::bigint, 'audit(infinity): nothing');
SELECT is((SELECT count(*) FROM inventree_perms.audit((pg_temp.last_audit()).at)), 1::bigint,
		  'audit(since): rows with at >= since (the last one)');
SELECT is((SELECT max(id) FROM inventree_perms.audit()), (pg_temp.last_audit()).id, 'audit() returns the latest row');
RESET ROLE;
SELECT is((SELECT count(*) FROM inventree_perms.audit()), pg_temp.audit_rows(), 'audit(): a PostgreSQL superuser sees every row');

SELECT * FROM finish();
ROLLBACK;
