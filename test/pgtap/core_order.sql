-- core_order.sql -- SPEC "Managing": for a caller who may not manage, 42501
-- comes before any other check of the arguments, the NULL check included (a
-- bad action, name or NULL tells such a caller nothing).
--
-- Every management function (every function declared with the gate, read
-- from pg_catalog: new ones are covered too) is called by roles that may not
-- manage -- a role that is no user, and a user without rights -- with every
-- argument NULL, and with each argument in turn NULL, empty, malformed or
-- unknown while the others are valid names.  Each call must fail with 42501.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(8);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;

CREATE ROLE ord_stranger;
CREATE ROLE ord_user;
CREATE TABLE public.ord_items (id int);
GRANT ALL ON public.ord_items TO ord_stranger, ord_user;
DO $$ BEGIN
	PERFORM inventree_perms.create_user('ord_user');
	-- "user" names a user, a group, a model and a role: calls reach past the lookups
	PERFORM inventree_perms.create_user('user');
	PERFORM inventree_perms.create_group('user');
	PERFORM inventree_perms.create_role('user');
END $$;

-- (function, argument list) for each call to make
CREATE TEMP TABLE calls AS
WITH fns AS (
	SELECT p.oid, p.proname, string_to_array(p.proargtypes::text, ' ')::oid[] AS types, p.pronargs
	FROM pg_proc p
	WHERE p.pronamespace = 'inventree_perms'::regnamespace AND p.prosrc = 'ip_gate'
), vals(kind, val) AS (
	VALUES ('null', NULL), ('empty', ''''''), ('blank', ''' user'''), ('bad', '''bogus action!'''),
		   ('unknown', '''ord_nobody''')
), good(t, val) AS (
	VALUES ('text'::regtype, '''user'''), ('boolean', 'true'), ('regclass', '''public.ord_items''::regclass'),
		   ('regrole', '''ord_user''::regrole'), ('name', '''public''::name'), ('bigint', '1'),
		   ('timestamp with time zone', '''-infinity''::timestamptz')
), one AS (
	-- argument i bad, the others good
	SELECT f.proname, f.oid, i, v.kind,
		   (SELECT string_agg(CASE WHEN j = i THEN coalesce(v.val || CASE WHEN f.types[j] <> 'text'::regtype
																	  THEN '::' || f.types[j]::regtype ELSE '' END, 'NULL')
								   ELSE coalesce((SELECT g.val FROM good g WHERE g.t = f.types[j]), 'NULL') END,
							   ', ' ORDER BY j)
			FROM generate_series(1, f.pronargs) j) AS args
	FROM fns f, generate_series(1, f.pronargs) i, vals v
	WHERE v.kind = 'null' OR f.types[i] IN ('text'::regtype, 'name'::regtype)
	UNION ALL
	SELECT f.proname, f.oid, 0, 'all null',
		   (SELECT string_agg('NULL::' || f.types[j]::regtype, ', ' ORDER BY j) FROM generate_series(1, f.pronargs) j)
	FROM fns f WHERE f.pronargs > 0
)
SELECT format('SELECT * FROM inventree_perms.%I(%s)', proname, args) AS sql, proname, kind FROM one;
GRANT SELECT ON calls TO PUBLIC;

CREATE FUNCTION pg_temp.not_42501(only_these name[] DEFAULT NULL) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	c record;
	bad text[];
	state text;
BEGIN
	FOR c IN SELECT * FROM calls WHERE only_these IS NULL OR proname = ANY (only_these) ORDER BY sql LOOP
		BEGIN
			EXECUTE c.sql;
			state := 'no error';
		EXCEPTION WHEN OTHERS THEN
			state := SQLSTATE;
		END;
		IF state IS DISTINCT FROM '42501' THEN
			bad := bad || (c.sql || ' -> ' || state);
		END IF;
	END LOOP;
	RETURN bad;
END;
$$;
GRANT EXECUTE ON FUNCTION pg_temp.not_42501(name[]) TO PUBLIC;

SELECT cmp_ok((SELECT count(DISTINCT proname) FROM calls), '>=', 20::bigint,
			  'the management functions are found (so the tests are not vacuous)');
SELECT cmp_ok((SELECT count(*) FROM calls WHERE kind = 'bad'), '>=', 20::bigint, 'with malformed arguments');

SET LOCAL ROLE ord_stranger;
SELECT is(pg_temp.not_42501(), NULL, 'a role that is no user gets 42501 first from every call');
RESET ROLE;
SET LOCAL ROLE ord_user;
SELECT is(pg_temp.not_42501(), NULL, 'a user without rights gets 42501 first from every call');
RESET ROLE;
-- an administrator (not a PostgreSQL superuser) is told what is wrong
CREATE ROLE ord_admin;
SELECT inventree_perms.create_user('ord_admin');
SELECT inventree_perms.grant_user_perm('ord_admin', 'user', 'change');
SET LOCAL ROLE ord_admin;
SELECT throws_ok($$SELECT inventree_perms.create_user(NULL)$$, '22004', NULL,
				 'an administrator is told the argument is NULL (22004)');
-- ... but not about functions only some administrators may call: changing
-- superuser status (superusers) and delegates (PostgreSQL superusers and the
-- extension's owner) say 42501 first to him too, NULLs included
SELECT cmp_ok((SELECT count(*) FROM calls
			   WHERE proname IN ('set_user_superuser', 'add_delegate', 'remove_delegate')
				 AND kind IN ('null', 'all null')), '>=', 4::bigint,
			  'the superuser-only calls with NULL arguments are there');
SELECT is(pg_temp.not_42501('{set_user_superuser,add_delegate,remove_delegate}'), NULL,
		  'an administrator who is no superuser gets 42501 first from the superuser-only functions');
RESET ROLE;
-- the order itself: an administrator is told what is wrong
SELECT throws_ok($$SELECT inventree_perms.grant_user_perm('user', 'user', 'bogus')$$, '22023', NULL,
				 'an administrator is told the action is bad (22023)');

SELECT * FROM finish();
ROLLBACK;
