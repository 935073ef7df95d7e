-- core_safety.sql -- SPEC "Safety rules that always hold": privileges on the
-- extension's objects, pinned search_path, no way around the functions.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(48);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;

CREATE ROLE core_plain;
CREATE ROLE core_carol;
DO $$ BEGIN
	PERFORM inventree_perms.register_model('core_part');
	PERFORM inventree_perms.create_user('core_carol', true);
	PERFORM inventree_perms.create_user('core_plain');
END $$;

CREATE TEMP VIEW ext_tables AS
	SELECT c.oid, c.relname, c.relkind FROM pg_class c
	WHERE c.relnamespace = 'inventree_perms'::regnamespace AND c.relkind IN ('r', 'p', 'S');
CREATE TEMP VIEW secdef AS
	SELECT p.oid::regprocedure AS fn, p.proconfig FROM pg_proc p
	WHERE p.pronamespace IN ('inventree_perms'::regnamespace, 'inventree_perms_internal'::regnamespace) AND p.prosecdef;

-- the extension
SELECT is((SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'inventree_perms'),
		  'inventree_perms', 'the extension lives in schema inventree_perms');
SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'inventree_perms'), false, 'it is not relocatable');
SELECT ok(NOT has_schema_privilege('core_plain', 'inventree_perms', 'CREATE'),
		  'a plain role cannot create objects in the schema');
SELECT ok(has_schema_privilege('core_plain', 'inventree_perms', 'USAGE'), 'a plain role may use the schema');

-- tables: owned by the extension, nothing for PUBLIC or a plain role
SELECT cmp_ok((SELECT count(*) FROM ext_tables WHERE relkind IN ('r', 'p')), '>=', 13::bigint,
			  'the schema holds the extension''s tables (so the tests below are not vacuous)');
SELECT is((SELECT array_agg(relname ORDER BY relname) FROM ext_tables t
		   WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
							 WHERE d.classid = 'pg_class'::regclass AND d.objid = t.oid AND d.deptype = 'e'
							   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'inventree_perms'))),
		  NULL, 'every table and sequence belongs to the extension');
SELECT is((SELECT array_agg(t.relname ORDER BY t.relname) FROM ext_tables t, pg_class c
		   WHERE c.oid = t.oid AND c.relowner <> (SELECT extowner FROM pg_extension WHERE extname = 'inventree_perms')),
		  NULL, 'every table and sequence is owned by the extension''s owner');
SELECT is((SELECT array_agg(DISTINCT t.relname ORDER BY t.relname) FROM ext_tables t, pg_class c, aclexplode(c.relacl) a
		   WHERE c.oid = t.oid AND a.grantee = 0),
		  NULL, 'PUBLIC has no privilege on any table or sequence');
SELECT is((SELECT array_agg(relname || ':' || p ORDER BY relname, p) FROM ext_tables t,
				  unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
		   WHERE t.relkind IN ('r', 'p') AND has_table_privilege('core_plain', t.oid, p)),
		  NULL, 'a plain role has no privilege on any table');
SELECT is((SELECT array_agg(relname || ':' || p ORDER BY relname, p) FROM ext_tables t,
				  unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) p
		   WHERE t.relkind = 'S' AND has_sequence_privilege('core_plain', t.oid, p)),
		  NULL, 'a plain role has no privilege on any sequence');
SELECT is((SELECT array_agg(relname ORDER BY relname) FROM ext_tables t
		   WHERE t.oid <> ALL ((SELECT extconfig FROM pg_extension WHERE extname = 'inventree_perms')::oid[])),
		  NULL, 'every table and sequence is registered with pg_extension_config_dump');

-- SECURITY DEFINER functions: pinned search_path ending in pg_temp, not for PUBLIC
SELECT cmp_ok((SELECT count(*) FROM secdef), '>', 0::bigint, 'there are SECURITY DEFINER functions to check');
SELECT is((SELECT array_agg(fn::text ORDER BY fn::text) FROM secdef
		   WHERE NOT EXISTS (SELECT 1 FROM unnest(proconfig) c WHERE c LIKE 'search_path=%')),
		  NULL, 'every SECURITY DEFINER function pins search_path');
SELECT is((SELECT array_agg(fn::text ORDER BY fn::text) FROM secdef, unnest(proconfig) c
		   WHERE c LIKE 'search_path=%' AND c !~ '^search_path=("?pg_catalog"?, )?.*"?pg_temp"?$'),
		  NULL, 'every pinned search_path ends with pg_temp (so temp objects cannot shadow)');
SELECT is((SELECT array_agg(fn::text ORDER BY fn::text) FROM secdef, unnest(proconfig) c
		   WHERE c LIKE 'search_path=%' AND (c ~ '\$user' OR c ~ '\mpublic\M')),
		  NULL, 'no pinned search_path holds $user or public');
SELECT is((SELECT array_agg(fn::text ORDER BY fn::text) FROM secdef
		   WHERE has_function_privilege('core_plain', fn, 'EXECUTE')),
		  NULL, 'no SECURITY DEFINER function may be called by a plain role');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc p
		   WHERE p.pronamespace = 'inventree_perms_internal'::regnamespace AND p.proname ~ '^_'
			 AND has_function_privilege('core_plain', p.oid, 'EXECUTE')),
		  NULL, 'no internal (_name) function may be called by a plain role');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc p
		   WHERE p.pronamespace = 'inventree_perms'::regnamespace AND p.provolatile = 'i'
			 AND p.proname IN ('has_model_perm', 'has_role_perm', 'acting_user', 'user_permissions')),
		  NULL, 'no permission function is IMMUTABLE');
SELECT ok(has_function_privilege('core_plain', f, 'EXECUTE'), 'a plain role may call ' || f)
	FROM unnest(ARRAY['inventree_perms.has_model_perm(text,text,text)', 'inventree_perms.has_model_perm(text,text)',
					  'inventree_perms.acting_user()', 'inventree_perms.create_user(text,boolean,boolean)',
					  'inventree_perms.grant_user_perm(text,text,text)', 'inventree_perms.audit(timestamptz)']) f;

-- ordinary roles change nothing except through the functions
SET LOCAL ROLE core_plain;
SELECT throws_ok(c, '42501', NULL, 'plain role: ' || c) FROM unnest(ARRAY[
	$$INSERT INTO inventree_perms.users (name, is_superuser) VALUES ('core_plain2', true)$$,
	$$UPDATE inventree_perms.users SET is_superuser = true WHERE name = 'core_plain'$$,
	$$DELETE FROM inventree_perms.users$$,
	$$TRUNCATE inventree_perms.user_perms$$,
	$$INSERT INTO inventree_perms.user_perms (username, model, action) VALUES ('core_plain', 'user', 'change')$$,
	$$INSERT INTO inventree_perms.group_perms (groupname, model, action) VALUES ('x', 'user', 'change')$$,
	$$INSERT INTO inventree_perms.delegates VALUES ('core_plain')$$,
	$$SELECT * FROM inventree_perms.users$$,
	$$SELECT nextval('inventree_perms.audit_log_id_seq')$$,
	$$SELECT inventree_perms_internal._create_user('core_plain2', true, true)$$,
	$$SELECT inventree_perms_internal._grant_user_perm('core_plain', 'user', 'change')$$,
	$$SELECT inventree_perms_internal._set_user_superuser('core_plain', true)$$,
	$$SELECT inventree_perms_internal._log('forged', 'x', NULL)$$,
	$$SELECT inventree_perms_internal._is_admin()$$,
	$$SET inventree_perms.acting_user = 'core_carol'$$,
	$$SELECT set_config('inventree_perms.acting_user', 'core_carol', true)$$,
	$$SELECT inventree_perms.set_acting_user('core_carol')$$]) c;
SELECT is(inventree_perms.acting_user(), 'core_plain', 'the acting user is still the plain role');
SELECT is(inventree_perms.has_model_perm('user', 'change'), false, 'and it still may not change users');
RESET ROLE;
SELECT is((SELECT is_superuser FROM inventree_perms.users WHERE name = 'core_plain'), false, 'core_plain is no superuser');

-- the caller decides, not the functions' owner, whatever the caller's search_path
CREATE SCHEMA core_evil;
CREATE FUNCTION core_evil._create_user(text, boolean, boolean) RETURNS void
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'hijacked'; END $$;
CREATE FUNCTION core_evil._require_admin(text) RETURNS void LANGUAGE sql AS 'SELECT';
CREATE FUNCTION core_evil._is_admin() RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE FUNCTION core_evil.has_model_perm(text, text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
GRANT USAGE ON SCHEMA core_evil TO PUBLIC;
SET LOCAL search_path = core_evil, public;
SELECT lives_ok($$SELECT inventree_perms.create_user('core_sp')$$,
				'create_user ignores a function of the same name on the caller''s search_path');
SET LOCAL ROLE core_plain;
SELECT throws_ok($$SELECT inventree_perms.create_user('core_sp2')$$, '42501', NULL,
				 'a plain role with a hostile search_path is still refused');
SELECT throws_ok($$SELECT inventree_perms.grant_user_perm('core_plain', 'user', 'change')$$, '42501', NULL,
				 'a plain role cannot grant itself change on user');
RESET ROLE;
RESET search_path;
SELECT is((SELECT count(*) FROM inventree_perms.users WHERE name IN ('core_sp', 'core_sp2')), 1::bigint,
		  'only the superuser''s create_user happened');

SELECT * FROM finish();
ROLLBACK;
