-- core_api.sql -- what psql shows: \df inventree_perms.* lists the API the
-- reference documents and nothing else, each function with its COMMENT; the
-- implementations, helpers and trigger functions live in the schema
-- inventree_perms_internal, a member of the extension closed to PUBLIC.
-- Runs as a PostgreSQL superuser; everything is rolled back at the end.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(43);

DROP EXTENSION IF EXISTS inventree_perms CASCADE;
CREATE EXTENSION inventree_perms;
CREATE ROLE api_plain;

-- \df inventree_perms.*: exactly the API
SELECT is(
	(SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p
	  WHERE p.pronamespace = 'inventree_perms'::regnamespace),
	ARRAY[
		'inventree_perms.acting_user()',
		'inventree_perms.add_change_inherit(text,text)',
		'inventree_perms.add_delegate(regrole)',
		'inventree_perms.add_model_to_role(text,text)',
		'inventree_perms.add_user_to_group(text,text)',
		'inventree_perms.audit(timestamp with time zone)',
		'inventree_perms.create_group(text)',
		'inventree_perms.create_role(text,text)',
		'inventree_perms.create_user(text,boolean,boolean)',
		'inventree_perms.drop_group(text)',
		'inventree_perms.drop_owner(bigint)',
		'inventree_perms.drop_role(text)',
		'inventree_perms.drop_user(text)',
		'inventree_perms.grant_group_perm(text,text,text)',
		'inventree_perms.grant_group_role(text,text,text)',
		'inventree_perms.grant_group_scope(text,text,text,bigint)',
		'inventree_perms.grant_user_perm(text,text,text)',
		'inventree_perms.grant_user_scope(text,text,text,bigint)',
		'inventree_perms.has_model_perm(text,text)',
		'inventree_perms.has_model_perm(text,text,text)',
		'inventree_perms.has_role_perm(text,text)',
		'inventree_perms.has_role_perm(text,text,text)',
		'inventree_perms.has_row_perm(text,text,bigint,bigint)',
		'inventree_perms.has_row_perm(text,text,text,bigint,bigint)',
		'inventree_perms.import_django(name)',
		'inventree_perms.link_django(name)',
		'inventree_perms.protect(regclass,text,name,text,name)',
		'inventree_perms.register_model(text,regclass,text,boolean)',
		'inventree_perms.register_tree(text,regclass,name,name)',
		'inventree_perms.remove_change_inherit(text,text)',
		'inventree_perms.remove_delegate(regrole)',
		'inventree_perms.remove_model_from_role(text,text)',
		'inventree_perms.remove_user_from_group(text,text)',
		'inventree_perms.reset_acting_user()',
		'inventree_perms.revoke_group_perm(text,text,text)',
		'inventree_perms.revoke_group_role(text,text,text)',
		'inventree_perms.revoke_group_scope(text,text,text,bigint)',
		'inventree_perms.revoke_user_perm(text,text,text)',
		'inventree_perms.revoke_user_scope(text,text,text,bigint)',
		'inventree_perms.set_acting_user(text,boolean)',
		'inventree_perms.set_owner(bigint,text,text)',
		'inventree_perms.set_user_active(text,boolean)',
		'inventree_perms.set_user_superuser(text,boolean)',
		'inventree_perms.unlink_django(name)',
		'inventree_perms.unprotect(regclass)',
		'inventree_perms.unregister_model(text)',
		'inventree_perms.unregister_tree(text)',
		'inventree_perms.user_permissions(text)',
		'inventree_perms.user_scopes(text)'],
	'\df inventree_perms.* lists exactly the functions of the reference');
SELECT is((SELECT count(*)::int FROM pg_proc p WHERE p.pronamespace = 'inventree_perms'::regnamespace
			 AND p.proname ~ '^_'), 0, 'no _name function is left in the API schema');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc p
		   WHERE p.pronamespace = 'inventree_perms'::regnamespace
			 AND coalesce(btrim(obj_description(p.oid, 'pg_proc')), '') = ''),
		  NULL, 'every API function has a COMMENT');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc p
		   WHERE p.pronamespace = 'inventree_perms'::regnamespace
			 AND NOT has_function_privilege('api_plain', p.oid, 'EXECUTE')),
		  NULL, 'every API function may be called by a plain role (it checks the caller itself)');
SELECT is((SELECT array_agg(c.oid::regclass::text ORDER BY 1) FROM pg_class c
		   WHERE c.relnamespace = 'inventree_perms'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S')
			 AND coalesce(btrim(obj_description(c.oid, 'pg_class')), '') = ''),
		  NULL, 'every table, view and sequence of the API schema has a COMMENT');

-- the internal schema
SELECT is((SELECT d.refobjid FROM pg_depend d
		   WHERE d.classid = 'pg_namespace'::regclass AND d.objid = 'inventree_perms_internal'::regnamespace
			 AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'),
		  (SELECT oid FROM pg_extension WHERE extname = 'inventree_perms'),
		  'inventree_perms_internal is a member of the extension');
SELECT is((SELECT nspowner FROM pg_namespace WHERE nspname = 'inventree_perms_internal'), 10::oid,
		  '... owned by the bootstrap superuser');
SELECT is((SELECT nspowner FROM pg_namespace WHERE nspname = 'inventree_perms'), 10::oid,
		  'the API schema is owned by the bootstrap superuser');
SELECT is((SELECT array_agg(pg_describe_object(d.classid, d.objid, 0) ORDER BY 1) FROM pg_depend d
		   WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
			 AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'inventree_perms')
			 AND CASE d.classid
				 WHEN 'pg_proc'::regclass THEN (SELECT proowner FROM pg_proc WHERE oid = d.objid)
				 WHEN 'pg_class'::regclass THEN (SELECT relowner FROM pg_class WHERE oid = d.objid)
				 WHEN 'pg_namespace'::regclass THEN (SELECT nspowner FROM pg_namespace WHERE oid = d.objid)
				 WHEN 'pg_event_trigger'::regclass THEN (SELECT evtowner FROM pg_event_trigger WHERE oid = d.objid)
				 ELSE 0 END <> 10),
		  NULL, 'every object of the extension is owned by the bootstrap superuser');
SELECT ok(coalesce(btrim(obj_description('inventree_perms_internal'::regnamespace, 'pg_namespace')), '') <> '',
		  '... with a COMMENT');
SELECT ok(has_schema_privilege('api_plain', 'inventree_perms_internal', 'USAGE'),
		  'a plain role may look names up in the internal schema (a table owner restores its policies)');
SELECT ok(NOT has_schema_privilege('api_plain', 'inventree_perms_internal', 'CREATE'),
		  'a plain role may not create in the internal schema');
SELECT cmp_ok((SELECT count(*)::int FROM pg_proc p WHERE p.pronamespace = 'inventree_perms_internal'::regnamespace),
			  '>=', 100, 'the implementations, helpers and trigger functions are in the internal schema');
SELECT is((SELECT array_agg(a.proname::text ORDER BY 1) FROM pg_proc a
		   WHERE a.pronamespace = 'inventree_perms'::regnamespace AND a.prosrc = 'ip_gate'
			 AND NOT EXISTS (SELECT 1 FROM pg_proc i
							 WHERE i.pronamespace = 'inventree_perms_internal'::regnamespace
							   AND i.proname = '_' || a.proname AND i.proargtypes = a.proargtypes)),
		  NULL, 'every management function has its implementation in the internal schema');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc p
		   WHERE p.pronamespace = 'inventree_perms_internal'::regnamespace
			 AND coalesce(btrim(obj_description(p.oid, 'pg_proc')), '') = ''),
		  NULL, 'every internal function has a COMMENT');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc p
		   WHERE p.pronamespace = 'inventree_perms_internal'::regnamespace
			 AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
							 AND d.objid = p.oid AND d.deptype = 'e')),
		  NULL, 'every function of the internal schema is a member of the extension');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc p
		   WHERE p.pronamespace = 'inventree_perms_internal'::regnamespace
			 AND has_function_privilege('api_plain', p.oid, 'EXECUTE')),
		  ARRAY['inventree_perms_internal.allowed_nodes(text,text)',
				'inventree_perms_internal.scope_admits(text,text,bigint,boolean,bigint[],boolean)',
				'inventree_perms_internal.scope_admits_row(text,text,record,integer)',
				'inventree_perms_internal.scope_nodes(text,text,bigint[])',
				'inventree_perms_internal.scope_test(text,text,bigint)',
				'inventree_perms_internal.scope_test2(text,text,smallint)',
				'inventree_perms_internal.scope_test4(text,text,integer)'],
		  'a plain role may execute no internal function but those a scoped table''s policies call and the planner writes into them');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_db_role_setting s, unnest(s.setconfig) c
					  WHERE c ~ '^search_path=.*inventree_perms_internal'),
		  'no role or database setting puts the internal schema on a search_path');

-- nobody, superusers included, hands a schema, function or table of the
-- extension to another role, renames a schema or adds a function to it
CREATE ROLE api_owner_to_be;
SELECT throws_ok(q, '42501', NULL, 'refused even to a superuser: ' || q)
  FROM unnest(ARRAY[
	'CREATE FUNCTION inventree_perms._create_group(groupname text) RETURNS void LANGUAGE sql AS $f$ SELECT NULL::void $f$',
	'CREATE FUNCTION inventree_perms_internal._extra() RETURNS int LANGUAGE sql AS $f$ SELECT 1 $f$',
	'CREATE OR REPLACE FUNCTION inventree_perms_internal._is_admin() RETURNS boolean LANGUAGE sql AS $f$ SELECT true $f$',
	'ALTER FUNCTION inventree_perms_internal._create_group(text) OWNER TO api_owner_to_be',
	'ALTER FUNCTION inventree_perms.has_model_perm(text, text) OWNER TO api_owner_to_be',
	'ALTER FUNCTION inventree_perms_internal._create_group(text) SECURITY INVOKER',
	'ALTER FUNCTION inventree_perms_internal._create_group(text) RENAME TO _x',
	'ALTER SCHEMA inventree_perms_internal OWNER TO api_owner_to_be',
	'ALTER SCHEMA inventree_perms_internal RENAME TO ip_moved',
	'ALTER SCHEMA inventree_perms RENAME TO ip_moved',
	'ALTER SCHEMA inventree_perms OWNER TO api_owner_to_be',
	'GRANT CREATE ON SCHEMA inventree_perms_internal TO PUBLIC',
	'GRANT CREATE ON SCHEMA inventree_perms TO api_owner_to_be',
	'ALTER TABLE inventree_perms.users OWNER TO api_owner_to_be',
	'ALTER VIEW inventree_perms.my_permissions OWNER TO api_owner_to_be']) q;
SELECT is((SELECT nspowner FROM pg_namespace WHERE nspname = 'inventree_perms_internal'), 10::oid,
		  '... and the internal schema is still the bootstrap superuser''s');
CREATE SCHEMA api_other;
SELECT lives_ok($$ALTER SCHEMA api_other OWNER TO api_owner_to_be;
				  GRANT CREATE ON SCHEMA api_other TO PUBLIC;
				  CREATE FUNCTION api_other.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
				  ALTER FUNCTION api_other.f() OWNER TO api_owner_to_be;
				  CREATE TABLE api_other.t (a int); ALTER TABLE api_other.t OWNER TO api_owner_to_be$$,
				'the same commands on other schemas, functions and tables are untouched');

-- with that guard switched off by a superuser and the internal schema given
-- away, the gates refuse rather than call what its new owner could put there
ALTER EVENT TRIGGER inventree_perms_guard_members DISABLE;
CREATE FUNCTION inventree_perms._create_group(groupname text) RETURNS void
	LANGUAGE sql AS $$ SELECT NULL::void $$;
SELECT lives_ok($$SELECT inventree_perms.create_group('api_team')$$, 'create_group() runs');
SELECT ok(EXISTS (SELECT 1 FROM inventree_perms.groups WHERE name = 'api_team'),
		  '... through the internal implementation, not a _create_group() put in the API schema');
DROP FUNCTION inventree_perms._create_group(text);
ALTER SCHEMA inventree_perms_internal OWNER TO api_owner_to_be;
SELECT throws_ok($$SELECT inventree_perms.create_group('api_team2')$$, '42501',
				 'schema "inventree_perms_internal" is not owned by the bootstrap superuser',
				 'a gate refuses an internal schema its owner no longer owns');
ALTER SCHEMA inventree_perms_internal OWNER TO CURRENT_USER;
ALTER EVENT TRIGGER inventree_perms_guard_members ENABLE;

-- DROP EXTENSION takes the internal schema with it
DROP EXTENSION inventree_perms CASCADE;
DROP SCHEMA inventree_perms;
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'inventree_perms_internal'),
		  'DROP EXTENSION drops the internal schema');
-- CREATE EXTENSION refuses a schema of either name that another role made
CREATE SCHEMA inventree_perms;
CREATE SCHEMA inventree_perms_internal AUTHORIZATION api_plain;
SELECT throws_ok('CREATE EXTENSION inventree_perms', '42P06', NULL,
				 'CREATE EXTENSION refuses to adopt an inventree_perms_internal schema it did not make');
DROP SCHEMA inventree_perms_internal, inventree_perms;
CREATE SCHEMA inventree_perms AUTHORIZATION api_plain;
SELECT throws_ok('CREATE EXTENSION inventree_perms', '42501',
				 'schema "inventree_perms" is owned by role api_plain, not by you or a superuser',
				 'CREATE EXTENSION refuses an inventree_perms schema an ordinary role owns');
ALTER SCHEMA inventree_perms OWNER TO CURRENT_USER;
GRANT CREATE ON SCHEMA inventree_perms TO PUBLIC;
SELECT throws_ok('CREATE EXTENSION inventree_perms', '42501',
				 'other roles may create objects in schema "inventree_perms": PUBLIC',
				 'CREATE EXTENSION refuses an inventree_perms schema others may create in');
REVOKE CREATE ON SCHEMA inventree_perms FROM PUBLIC;
SELECT lives_ok('CREATE EXTENSION inventree_perms',
				'an inventree_perms schema a superuser made and keeps closed is fine');

SELECT * FROM finish();
ROLLBACK;
