-- escape.sql -- privilege-escape attempts by an ordinary role (issue 5, item 7).
-- Every attempt is a test that shows it fails, and most are paired with the
-- proof that the attacker's objects really were in place.  Roles are made
-- inside the transaction; everything is rolled back at the end.
--   esc_user   an ordinary PostgreSQL role, also a user with a few grants
--   esc_admin  an administrator of the extension (holds change on model
--              "user"), not a superuser of either kind
--   esc_app    a delegate (may call set_acting_user)
--   esc_su     a superuser of the extension (a user row only)
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(
	20 * 5		-- tables x (INSERT, UPDATE, DELETE, TRUNCATE, SELECT)
	+ (SELECT count(*)::int FROM pg_proc p
	   WHERE p.pronamespace = 'inventree_perms_internal'::regnamespace AND p.proname ~ '^_'
	     AND p.prorettype <> 'trigger'::regtype
	     AND NOT 'internal'::regtype = ANY (p.proargtypes::regtype[]))	-- internal functions
	+ (SELECT count(*)::int FROM pg_proc p
	   WHERE p.pronamespace = 'inventree_perms_internal'::regnamespace
	     AND p.prorettype = 'trigger'::regtype)	-- trigger functions
	+ 1 + 20 + 9 + 11 + 13);

CREATE ROLE esc_user;
CREATE ROLE esc_admin;
CREATE ROLE esc_app;
CREATE SCHEMA esc AUTHORIZATION esc_user;
CREATE SCHEMA esc_adm AUTHORIZATION esc_admin;
CREATE TABLE public.esc_items (id int);
INSERT INTO public.esc_items SELECT generate_series(1, 7);
CREATE TABLE public.esc_own (id int);
ALTER TABLE public.esc_own OWNER TO esc_user;
GRANT SELECT ON public.esc_items TO esc_user, esc_admin, esc_app;
SELECT inventree_perms.protect('public.esc_items');
SELECT inventree_perms.register_model('esc_widget');
SELECT inventree_perms.create_user('esc_user');
SELECT inventree_perms.create_user('esc_admin');
SELECT inventree_perms.create_user('esc_victim');
SELECT inventree_perms.create_user('esc_su', true);
SELECT inventree_perms.grant_user_perm('esc_admin', 'user', 'change');
SELECT inventree_perms.grant_user_perm('esc_user', 'part_part', 'view');
SELECT inventree_perms.grant_user_perm('esc_victim', 'esc_widget', 'all');
SELECT inventree_perms.add_delegate('esc_app');

CREATE FUNCTION pg_temp.superusers() RETURNS text LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
	SELECT string_agg(name, ',' ORDER BY name) FROM inventree_perms.users WHERE is_superuser $$;
CREATE FUNCTION pg_temp.user_perm_rows() RETURNS bigint LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$ SELECT count(*) FROM inventree_perms.user_perms $$;
CREATE FUNCTION pg_temp.is_user(n text) RETURNS boolean LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$ SELECT EXISTS (SELECT 1 FROM inventree_perms.users WHERE name = n) $$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pg_temp TO PUBLIC;

-- ===========================================================================
-- 1. Writing (and reading) the extension's tables directly: 42501
-- ===========================================================================
CREATE TEMP TABLE esc_tables AS
SELECT c.relname::text AS t,
	(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = 1) AS col
FROM pg_class c WHERE c.relnamespace = 'inventree_perms'::regnamespace AND c.relkind = 'r';
GRANT SELECT ON esc_tables TO PUBLIC;
SELECT is((SELECT count(*)::int FROM esc_tables), 20, 'the extension has the 20 tables this file attacks');

SET LOCAL ROLE esc_user;
SELECT throws_ok(format(c.stmt, t, col, col), '42501', NULL,
	format('esc_user: %s inventree_perms.%s -> 42501', c.verb, t))
FROM esc_tables, (VALUES ('INSERT', 'INSERT INTO inventree_perms.%I DEFAULT VALUES'),
						 ('UPDATE', 'UPDATE inventree_perms.%I SET %I = %I'),
						 ('DELETE', 'DELETE FROM inventree_perms.%I'),
						 ('TRUNCATE', 'TRUNCATE inventree_perms.%I'),
						 ('SELECT', 'SELECT * FROM inventree_perms.%I')) c(verb, stmt)
ORDER BY t, verb;

-- ===========================================================================
-- 2. Internal "_" functions and trigger functions: 42501
-- (called with non-NULL arguments: PostgreSQL's planner folds a STRICT
-- IMMUTABLE function of constant NULLs to NULL without running it -- and
-- without the EXECUTE check; nothing runs, so that is no escape)
-- ===========================================================================
RESET ROLE;
CREATE TEMP TABLE esc_internal AS
SELECT p.oid::regprocedure::text AS sig,
	format('SELECT inventree_perms_internal.%I(%s)', p.proname,
		coalesce((SELECT string_agg(format('%L::%s', CASE format_type(t, NULL)
					WHEN 'regclass' THEN 'pg_catalog.pg_class' WHEN 'regrole' THEN 'pg_monitor'
					WHEN 'oid' THEN '0' WHEN 'integer' THEN '0' WHEN 'bigint' THEN '0' WHEN 'oid[]' THEN '{}'
					WHEN 'boolean' THEN 'false' WHEN 'jsonb' THEN '{}'
					WHEN 'text[]' THEN '{}' WHEN 'bigint[]' THEN '{}' WHEN '"char"' THEN 'r'
					WHEN 'timestamp with time zone' THEN 'now' ELSE 'x' END, format_type(t, NULL)), ', ' ORDER BY i)
				  FROM unnest(p.proargtypes) WITH ORDINALITY u(t, i)), '')) AS call
FROM pg_proc p
WHERE p.pronamespace = 'inventree_perms_internal'::regnamespace AND p.proname ~ '^_'
  AND p.prorettype <> 'trigger'::regtype
  -- (a planner support function takes internal: SQL cannot call it at all;
  -- core_safety.sql checks that no plain role may execute it)
  AND NOT 'internal'::regtype = ANY (p.proargtypes::regtype[]);
CREATE TEMP TABLE esc_triggers AS
SELECT p.oid::regprocedure::text AS sig, p.proname::text AS name FROM pg_proc p
WHERE p.pronamespace = 'inventree_perms_internal'::regnamespace AND p.prorettype = 'trigger'::regtype;
GRANT SELECT ON esc_internal, esc_triggers TO PUBLIC;

SET LOCAL ROLE esc_user;
SELECT throws_ok(call, '42501', NULL, 'esc_user: calls ' || sig || ' directly -> 42501')
FROM esc_internal ORDER BY sig;
-- a trigger function cannot be SELECTed (PostgreSQL refuses that for
-- everyone); the way to run one is a trigger on a table one owns
SELECT throws_ok(format('CREATE TRIGGER esc_t BEFORE INSERT OR UPDATE OR DELETE ON public.esc_own
	FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal.%I()', name), '42501', NULL,
	'esc_user: a trigger on its own table running ' || sig || ' -> 42501')
FROM esc_triggers ORDER BY sig;

-- ===========================================================================
-- 3. Hijacking calls through the search_path
-- ===========================================================================
-- before: what the extension says about esc_user
SELECT array_agg(p ORDER BY p::text) AS perms_before FROM inventree_perms.user_permissions() p \gset
SELECT array_agg(m ORDER BY m::text) AS matrix_before FROM inventree_perms.my_permissions m \gset

SELECT throws_ok($$CREATE FUNCTION inventree_perms.has_model_perm(text) RETURNS boolean LANGUAGE sql AS 'SELECT true'$$,
	'42501', NULL, 'esc_user: CREATE FUNCTION in schema inventree_perms -> 42501');
SELECT throws_ok('CREATE TABLE inventree_perms.users_shadow (name text)',
	'42501', NULL, 'esc_user: CREATE TABLE in schema inventree_perms -> 42501');
SELECT throws_ok($$CREATE OR REPLACE FUNCTION inventree_perms.acting_user() RETURNS text LANGUAGE sql AS 'SELECT ''esc_su'''$$,
	'42501', NULL, 'esc_user: replacing inventree_perms.acting_user() -> 42501');

-- the attacker's look-alikes, first on its search_path (pg_temp first too)
CREATE FUNCTION esc.has_model_perm(text, text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE FUNCTION esc.has_model_perm(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE FUNCTION esc.acting_user() RETURNS text LANGUAGE sql AS $$SELECT 'esc_su'::text$$;
CREATE FUNCTION esc._is_admin() RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE FUNCTION esc._require_admin(text) RETURNS void LANGUAGE sql AS '';
CREATE FUNCTION esc._caller() RETURNS oid LANGUAGE sql AS 'SELECT 10::oid';
CREATE FUNCTION esc.pg_has_role(oid, oid, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE FUNCTION esc.always(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR esc.= (LEFTARG = text, RIGHTARG = text, FUNCTION = esc.always);
CREATE TEMP TABLE users (name text, is_superuser boolean, is_active boolean);
INSERT INTO pg_temp.users VALUES ('esc_user', true, true);
CREATE TEMP TABLE user_perms (username text, model text, action text);
INSERT INTO pg_temp.user_perms VALUES ('esc_user', 'esc_widget', 'view');
GRANT USAGE ON SCHEMA esc TO PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA esc TO PUBLIC;
-- Under the hijacked search_path even pgTAP's own "=" would be esc's: the
-- attempts only record what happened (pg_temp.outcome: OK or the SQLSTATE,
-- nothing compared in its body), the assertions run after RESET search_path.
CREATE FUNCTION pg_temp.outcome(q text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
	EXECUTE q;
	RETURN 'OK';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END $f$;
SET LOCAL search_path = pg_temp, esc, inventree_perms, pg_catalog, public;
SELECT 'a' = 'b' AS h_eq, has_model_perm('esc_widget', 'view') AS h_fn,
	inventree_perms.has_model_perm('esc_user', 'esc_widget', 'view') AS h_hmp3,
	inventree_perms.has_model_perm('esc_widget', 'view') AS h_hmp2,
	inventree_perms.acting_user() AS h_acting,
	(SELECT count(*) FROM public.esc_items) AS h_rows,
	(SELECT array_agg(p ORDER BY p::text) FROM inventree_perms.user_permissions() p)::text AS h_perms,
	(SELECT array_agg(m ORDER BY m::text) FROM inventree_perms.my_permissions m)::text AS h_matrix,
	pg_temp.outcome($$SELECT inventree_perms.grant_user_perm('esc_user', 'esc_widget', 'view')$$) AS h_grant,
	pg_temp.outcome($$SELECT inventree_perms.create_user('esc_evil', true)$$) AS h_create,
	pg_temp.outcome($$SELECT * FROM inventree_perms.audit()$$) AS h_audit \gset
RESET search_path;
SELECT ok(:'h_eq'::boolean, 'the hijack is in place: "=" on text was esc''s operator');
SELECT ok(:'h_fn'::boolean, 'the hijack is in place: unqualified has_model_perm was esc''s');
SELECT is(:'h_hmp3'::text, 'f', 'hijacked path: inventree_perms.has_model_perm(user, model, action) unchanged');
SELECT is(:'h_hmp2'::text, 'f', 'hijacked path: inventree_perms.has_model_perm(model, action) unchanged');
SELECT is(:'h_acting'::text, 'esc_user', 'hijacked path: inventree_perms.acting_user() unchanged');
SELECT is(:'h_rows'::text, '0', 'hijacked path: the protected table still shows esc_user no row (policies are qualified)');
SELECT is(:'h_perms'::text, :'perms_before', 'hijacked path: user_permissions() unchanged');
SELECT is(:'h_matrix'::text, :'matrix_before', 'hijacked path: my_permissions unchanged');
SELECT is(:'h_grant'::text, '42501', 'hijacked path: grant_user_perm still refused (42501)');
SELECT is(:'h_create'::text, '42501', 'hijacked path: create_user still refused (42501)');
SELECT is(:'h_audit'::text, '42501', 'hijacked path: audit() still refused (42501)');
RESET ROLE;

-- an administrator working with the same hijacked search_path: the
-- management functions use the real tables and operators
GRANT USAGE ON SCHEMA esc TO esc_admin;
SET LOCAL ROLE esc_admin;
SET LOCAL search_path = pg_temp, esc, inventree_perms, pg_catalog, public;
SELECT 'x' = 'y' AS a_eq,
	pg_temp.outcome($$SELECT inventree_perms.revoke_user_perm('esc_victim', 'esc_widget', 'view')$$) AS a_revoke,
	pg_temp.outcome($$SELECT inventree_perms.create_user('esc_made')$$) AS a_create \gset
RESET search_path;
SELECT ok(:'a_eq'::boolean, 'esc_admin''s search_path also found esc''s "="');
SELECT is(:'a_revoke'::text, 'OK', 'esc_admin: revoked one grant with the hijacked search_path');
SELECT is(pg_temp.user_perm_rows(), 5::bigint,
	'... removed exactly that one row of 6 (an "=" that is always true would have removed them all)');
SELECT is(:'a_create'::text, 'OK', 'esc_admin: create_user with the hijacked search_path');
SELECT ok(pg_temp.is_user('esc_made'), '... wrote the real users table');
RESET ROLE;
RESET search_path;
SELECT is((SELECT count(*)::int FROM pg_proc p
		   WHERE p.pronamespace IN ('inventree_perms'::regnamespace, 'inventree_perms_internal'::regnamespace) AND p.prosecdef
			 AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)), 0,
	'every SECURITY DEFINER function of the extension pins search_path = pg_catalog, pg_temp');

-- ===========================================================================
-- 4. Acting as another user
-- ===========================================================================
SET LOCAL ROLE esc_user;
SELECT throws_ok($$SELECT inventree_perms.set_acting_user('esc_su')$$, '42501', NULL,
	'esc_user (not a delegate): set_acting_user -> 42501');
SELECT throws_ok($$SELECT inventree_perms.set_acting_user('esc_su', false)$$, '42501', NULL,
	'esc_user: set_acting_user(..., false) -> 42501');
SELECT throws_ok($$SET inventree_perms.acting_user = 'esc_su'$$, '42501', NULL,
	'esc_user: SET inventree_perms.acting_user -> 42501');
SELECT throws_ok($$SET LOCAL inventree_perms.acting_user = 'esc_su'$$, '42501', NULL,
	'esc_user: SET LOCAL inventree_perms.acting_user -> 42501');
SELECT throws_ok($$SELECT set_config('inventree_perms.acting_user', 'esc_su', true)$$, '42501', NULL,
	'esc_user: set_config(inventree_perms.acting_user) -> 42501');
SELECT throws_ok($$ALTER ROLE esc_user SET inventree_perms.acting_user = 'esc_su'$$, '42501', NULL,
	'esc_user: ALTER ROLE ... SET inventree_perms.acting_user -> 42501');
SELECT is(inventree_perms.acting_user(), 'esc_user', 'esc_user still acts as itself');
SELECT throws_ok($$SELECT inventree_perms.create_user('esc_evil')$$, '42501', NULL,
	'... and is still no administrator');
RESET ROLE;
SET LOCAL ROLE esc_app;
SELECT lives_ok($$SELECT inventree_perms.set_acting_user('esc_victim')$$,
	'control: the delegate esc_app may set_acting_user');
SELECT inventree_perms.reset_acting_user();	-- (is_local: else it lasts to ROLLBACK)
RESET ROLE;

-- ===========================================================================
-- 5. A non-superuser administrator making a superuser
-- ===========================================================================
SET LOCAL ROLE esc_admin;
SELECT lives_ok($$SELECT inventree_perms.create_user('esc_plain')$$,
	'control: esc_admin is an administrator (creates a plain user)');
SELECT throws_ok($$SELECT inventree_perms.create_user('esc_evil', true)$$, '42501', NULL,
	'esc_admin: create_user(..., true) -> 42501');
SELECT throws_ok($$SELECT inventree_perms.create_user('esc_evil2', true, false)$$, '42501', NULL,
	'esc_admin: create_user(..., true, false) -> 42501');
SELECT throws_ok($$SELECT inventree_perms.set_user_superuser('esc_admin', true)$$, '42501', NULL,
	'esc_admin: set_user_superuser(itself, true) -> 42501');
SELECT throws_ok($$SELECT inventree_perms.set_user_superuser('esc_plain', true)$$, '42501', NULL,
	'esc_admin: set_user_superuser(another, true) -> 42501');
SELECT throws_ok($$SELECT inventree_perms.set_user_superuser('esc_su', false)$$, '42501', NULL,
	'esc_admin: set_user_superuser(a superuser, false) -> 42501');
SELECT throws_ok($$SELECT inventree_perms.set_user_active('esc_su', false)$$, '42501', NULL,
	'esc_admin: set_user_active(a superuser, false) -> 42501');
SELECT throws_ok($$SELECT inventree_perms.drop_user('esc_su')$$, '42501', NULL,
	'esc_admin: drop_user(a superuser) -> 42501');
SELECT throws_ok($$SELECT inventree_perms.add_delegate('esc_admin')$$, '42501', NULL,
	'esc_admin: add_delegate(itself) -> 42501 (superuser or owner only)');
-- through Django: a schema the administrator owns, with a superuser in auth_user
CREATE TABLE esc_adm.auth_user (id int, username text, is_superuser boolean, is_active boolean);
CREATE TABLE esc_adm.auth_group (id int, name text);
CREATE TABLE esc_adm.auth_user_groups (user_id int, group_id int);
CREATE TABLE esc_adm.django_content_type (id int, app_label text, model text);
CREATE TABLE esc_adm.auth_permission (id int, content_type_id int, codename text);
CREATE TABLE esc_adm.auth_group_permissions (group_id int, permission_id int);
CREATE TABLE esc_adm.auth_user_user_permissions (user_id int, permission_id int);
INSERT INTO esc_adm.auth_user VALUES (1, 'esc_dj_evil', true, true);
SELECT throws_ok($$SELECT * FROM inventree_perms.import_django('esc_adm')$$, '42501', NULL,
	'esc_admin: import_django of its own schema holding a Django superuser -> 42501');
RESET ROLE;

-- ===========================================================================
-- 6. Rights a superuser gave by mistake, and references to dropped roles
-- ===========================================================================
-- a member of pg_write_all_data, and a role holding every table privilege
CREATE ROLE esc_writer;
GRANT pg_write_all_data TO esc_writer;
GRANT ALL ON ALL TABLES IN SCHEMA inventree_perms TO esc_user;
SET LOCAL ROLE esc_writer;
SELECT throws_ok($$INSERT INTO inventree_perms.users (name, is_superuser) VALUES ('esc_writer', true)$$, '42501', NULL,
	'esc_writer (pg_write_all_data): INSERT a superuser row -> 42501');
SELECT throws_ok($$INSERT INTO inventree_perms.delegates (role, role_name) VALUES ('esc_writer', 'esc_writer')$$, '42501', NULL,
	'esc_writer: make itself a delegate -> 42501');
SELECT throws_ok($$UPDATE inventree_perms.users SET is_superuser = true WHERE name = 'esc_admin'$$, '42501', NULL,
	'esc_writer: UPDATE a user into a superuser -> 42501');
RESET ROLE;
SET LOCAL ROLE esc_user;
SELECT throws_ok($$INSERT INTO inventree_perms.user_perms (username, model, action) VALUES ('esc_user', 'user', 'change')$$,
	'42501', NULL, 'esc_user (every table privilege): grant itself change on user -> 42501');
SELECT throws_ok($$TRUNCATE inventree_perms.audit_log, inventree_perms.users CASCADE$$, '42501', NULL,
	'esc_user: TRUNCATE -> 42501');
RESET ROLE;
REVOKE ALL ON ALL TABLES IN SCHEMA inventree_perms FROM esc_user;
-- SET on the acting user's parameter granted by mistake: the value is set,
-- but its setter is no delegate, so it applies to no statement
GRANT SET ON PARAMETER inventree_perms.acting_user TO esc_user;
SET LOCAL ROLE esc_user;
SET inventree_perms.acting_user = 'esc_su';
SELECT is(inventree_perms.acting_user(), 'esc_user', 'esc_user (granted SET on the parameter): still acts as itself');
SELECT is(inventree_perms.has_model_perm('user', 'change'), false, '... with its own permissions');
SELECT throws_ok($$SELECT inventree_perms.create_user('esc_evil3')$$, '42501', NULL, '... and is no administrator');
RESET ROLE;
REVOKE SET ON PARAMETER inventree_perms.acting_user FROM esc_user;
-- the parameter that carries a parallel statement's snapshot to its workers
SELECT throws_ok($$SET inventree_perms.parallel_snapshot = '00'$$, '42501', NULL,
	'even a superuser cannot set inventree_perms.parallel_snapshot');
GRANT SET ON PARAMETER inventree_perms.parallel_snapshot TO esc_user;
SET LOCAL ROLE esc_user;
SELECT throws_ok($$SELECT set_config('inventree_perms.parallel_snapshot', '00', false)$$, '42501', NULL,
	'esc_user (granted SET on it by mistake): set_config -> 42501');
RESET ROLE;
REVOKE SET ON PARAMETER inventree_perms.parallel_snapshot FROM esc_user;
-- a dropped delegate's name taken by a new role
CREATE ROLE esc_gone;
SELECT inventree_perms.add_delegate('esc_gone');
DROP ROLE esc_gone;
CREATE ROLE esc_gone;
SET LOCAL ROLE esc_gone;
SELECT throws_ok($$SELECT inventree_perms.set_acting_user('esc_su')$$, '42501', NULL,
	'esc_gone (a new role with a dropped delegate''s name): set_acting_user -> 42501');
RESET ROLE;
-- a delegate that was removed keeps nothing of what it set for its session
SET LOCAL ROLE esc_app;
SELECT inventree_perms.set_acting_user('esc_su', false);
RESET ROLE;
SELECT inventree_perms.remove_delegate('esc_app');
SET LOCAL ROLE esc_app;
SELECT is(inventree_perms.acting_user(), 'esc_app', 'esc_app (removed): its session acting user ended');
SELECT throws_ok($$SELECT inventree_perms.create_user('esc_evil4')$$, '42501', NULL, '... and it is no administrator');
RESET ROLE;

SELECT is(pg_temp.superusers(), 'esc_su', 'after every attempt the only superuser is still esc_su');

SELECT * FROM finish();
ROLLBACK;
