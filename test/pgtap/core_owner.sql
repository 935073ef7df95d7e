-- core_owner.sql -- SPEC "Safety rules": if the extension's owner stops
-- being a PostgreSQL superuser, PostgreSQL superusers and the owner still
-- manage users, groups and grants; what then lacks the rights it needs says
-- so with 42501 and a hint, never with an error about a system catalog.
-- The extension is created by a superuser role that is not the bootstrap
-- superuser, which then loses SUPERUSER.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(36);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE ROLE own_owner SUPERUSER;
CREATE ROLE own_app;
SET LOCAL ROLE own_owner;
CREATE EXTENSION inventree_perms;
RESET ROLE;
ALTER ROLE own_owner NOSUPERUSER;
SELECT is((SELECT extowner::regrole::text FROM pg_extension WHERE extname = 'inventree_perms'), 'own_owner',
		  'the extension is owned by own_owner');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'own_owner'), false, 'who is no superuser any more');

-- a PostgreSQL superuser still manages
SELECT lives_ok($$SELECT inventree_perms.create_user('own_alice')$$, 'superuser: create_user');
SELECT lives_ok($$SELECT inventree_perms.create_user('own_root', true)$$, 'superuser: create a superuser');
SELECT lives_ok($$SELECT inventree_perms.create_group('own_staff')$$, 'superuser: create_group');
SELECT lives_ok($$SELECT inventree_perms.register_model('own_part')$$, 'superuser: register_model');
SELECT lives_ok($$SELECT inventree_perms.grant_user_perm('own_alice', 'own_part', 'view')$$, 'superuser: grant_user_perm');
SELECT lives_ok($$SELECT inventree_perms.add_user_to_group('own_alice', 'own_staff')$$, 'superuser: add_user_to_group');
SELECT lives_ok($$SELECT inventree_perms.add_delegate('own_app')$$, 'superuser: add_delegate');
SELECT is(inventree_perms.has_model_perm('own_alice', 'own_part', 'view'), true, 'the grant counts');

-- and so does the owner
SET LOCAL ROLE own_owner;
SELECT lives_ok($$SELECT inventree_perms.create_user('own_bob')$$, 'owner: create_user');
SELECT lives_ok($$SELECT inventree_perms.set_user_superuser('own_bob', true)$$, 'owner: set_user_superuser');
SELECT lives_ok($$SELECT inventree_perms.grant_group_perm('own_staff', 'own_part', 'all')$$, 'owner: grant_group_perm');
SELECT lives_ok($$SELECT inventree_perms.grant_group_role('own_staff', 'part', 'view')$$, 'owner: grant_group_role');
SELECT lives_ok($$SELECT inventree_perms.revoke_user_perm('own_alice', 'own_part', 'view')$$, 'owner: revoke_user_perm');
SELECT lives_ok($$SELECT inventree_perms.remove_user_from_group('own_alice', 'own_staff')$$, 'owner: remove_user_from_group');
SELECT lives_ok($$SELECT inventree_perms.remove_delegate('own_app')$$, 'owner: remove_delegate');
SELECT lives_ok($$SELECT inventree_perms.add_delegate('own_app')$$, 'owner: add_delegate');
SELECT is((SELECT count(DISTINCT (model, action)) FROM inventree_perms.user_permissions('own_bob')),
		  4::bigint * (SELECT count(*) FROM inventree_perms.models), 'owner: user_permissions of another user');
SELECT cmp_ok((SELECT count(*) FROM inventree_perms.audit()), '>', 0::bigint, 'owner: audit');
SELECT lives_ok($$SELECT inventree_perms.drop_user('own_bob')$$, 'owner: drop_user');
-- what the owner lacks, it is told with 42501 and a hint
SELECT throws_ok($$SELECT inventree_perms.set_acting_user('own_alice')$$, '42501',
				 'permission denied to set the acting user', 'owner: set_acting_user is for superusers and delegates');
RESET ROLE;

-- the owner no longer a superuser owns none of the extension's objects: it
-- cannot replace, detach or add what a superuser's command would run
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
		   WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'inventree_perms')
			 AND p.proowner = 'own_owner'::regrole), 0, 'the owner owns none of the extension''s functions');
SET LOCAL ROLE own_owner;
SELECT throws_ok(q, '42501', NULL, 'owner, no longer a superuser: ' || q || ' -> 42501')
  FROM unnest(ARRAY[
	'CREATE OR REPLACE FUNCTION inventree_perms_internal._protect_ddl_end() RETURNS event_trigger LANGUAGE plpgsql AS $f$ BEGIN END $f$',
	'ALTER EXTENSION inventree_perms DROP FUNCTION inventree_perms_internal._protect_ddl_end()',
	'ALTER EXTENSION inventree_perms DROP SCHEMA inventree_perms_internal',
	'ALTER EXTENSION inventree_perms DROP TABLE inventree_perms.users',
	'CREATE TABLE inventree_perms.decoy (id int)',
	'CREATE FUNCTION inventree_perms_internal._x() RETURNS int LANGUAGE sql AS $f$ SELECT 1 $f$',
	'ALTER EVENT TRIGGER inventree_perms_protect_ddl DISABLE',
	'CREATE TRIGGER own_t BEFORE INSERT ON inventree_perms.users FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._guard()']) q;
RESET ROLE;

-- a delegate acts as before
SET LOCAL ROLE own_app;
SELECT lives_ok($$SELECT inventree_perms.set_acting_user('own_alice')$$, 'a delegate sets the acting user');
RESET ROLE;
SELECT is((SELECT count(*) FROM inventree_perms.users WHERE name IN ('own_alice', 'own_root')), 2::bigint,
		  'the users are there');

-- no management function, called by the owner or a superuser with valid
-- arguments, fails with an error about a system catalog (every function of
-- the gate, whichever part of the extension defines it)
CREATE TABLE public.own_items (id int);
ALTER TABLE public.own_items OWNER TO own_owner;
CREATE TEMP TABLE calls AS
WITH fns AS (
	SELECT p.proname, string_to_array(p.proargtypes::text, ' ')::oid[] AS types, p.pronargs
	FROM pg_proc p
	WHERE p.pronamespace = 'inventree_perms'::regnamespace AND p.prosrc = 'ip_gate'
), good(t, val) AS (
	VALUES ('text'::regtype, '''own_alice'''), ('boolean', 'false'), ('regclass', '''public.own_items''::regclass'),
		   ('regrole', '''own_app''::regrole'), ('name', '''public''::name'), ('bigint', '1'),
		   ('timestamp with time zone', '''-infinity''::timestamptz')
)
SELECT format('SELECT * FROM inventree_perms.%I(%s)', f.proname,
			  (SELECT string_agg(coalesce((SELECT g.val FROM good g WHERE g.t = f.types[j]), 'NULL'), ', ' ORDER BY j)
			   FROM generate_series(1, f.pronargs) j)) AS sql
FROM fns f;
GRANT SELECT ON calls TO PUBLIC;
CREATE FUNCTION pg_temp.catalog_errors() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	c record;
	bad text[];
BEGIN
	FOR c IN SELECT * FROM calls ORDER BY sql LOOP
		BEGIN
			EXECUTE c.sql;
		EXCEPTION WHEN OTHERS THEN
			IF SQLERRM ~ '(pg_authid|pg_shadow|pg_statistic\M|pg_user_mapping|permission denied for (table|relation|view) pg_)' THEN
				bad := bad || (c.sql || ' -> ' || SQLSTATE || ' ' || SQLERRM);
			END IF;
		END;
	END LOOP;
	RETURN bad;
END;
$$;
GRANT EXECUTE ON FUNCTION pg_temp.catalog_errors() TO PUBLIC;
SELECT cmp_ok((SELECT count(*) FROM calls), '>=', 20::bigint, 'the management functions are found');
SET LOCAL ROLE own_owner;
SELECT is(pg_temp.catalog_errors(), NULL, 'owner: no management function fails on a system catalog');
RESET ROLE;
SELECT is(pg_temp.catalog_errors(), NULL, 'superuser: no management function fails on a system catalog');

SELECT * FROM finish();
ROLLBACK;
