-- ---------------------------------------------------------------------------
-- The schemas.
--
-- The schema inventree_perms holds the API: the functions, tables and view
-- the reference documents, and nothing else, so that \df inventree_perms.*
-- is the API.  The implementations of the management functions (each
-- "_<name>" beside its C gate "<name>"), the helpers and the trigger
-- functions live in inventree_perms_internal: a member of the extension (it
-- goes with DROP EXTENSION), on nobody's search_path, closed to PUBLIC.  Both
-- schemas and every object of the extension belong to the bootstrap
-- superuser (sql/src/95_api.sql says why).  The C code finds the internal
-- schema only as a member of this extension that the bootstrap superuser owns.
--
-- SQL bodies name both schemas, so whoever owns one of them, or may create
-- in it, could put objects of its own under those names: CREATE EXTENSION
-- refuses an inventree_perms schema someone else made (a role with CREATE on
-- the database could have made it first), and an event trigger refuses,
-- outside the extension's own scripts and even to superusers, whatever would
-- hand either schema, or a function in them, or a table of the extension, to
-- another role or put code into them: a change of owner or name, CREATE for
-- others, a function added or replaced, an index, trigger, rule or policy on
-- a table (pg_restore of a dump that holds such objects meets it too).
-- This part is also the first part of the upgrade script from 1.1
-- (sql/upgrade/1.1--1.2/04_schema.sql is a link to it).
-- ---------------------------------------------------------------------------

DO $$
DECLARE
	nsp pg_catalog.oid := 'inventree_perms'::pg_catalog.regnamespace;
	owner pg_catalog.oid;
	others text;
BEGIN
	SELECT n.nspowner INTO owner FROM pg_catalog.pg_namespace n WHERE n.oid OPERATOR(pg_catalog.=) nsp;
	SELECT pg_catalog.string_agg(DISTINCT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
										   ELSE a.grantee::pg_catalog.regrole::text END, ', ')
	  INTO others
	  FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
	 WHERE n.oid OPERATOR(pg_catalog.=) nsp AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
	   AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner;
	IF owner OPERATOR(pg_catalog.<>) (SELECT r.oid FROM pg_catalog.pg_roles r
									   WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)
	   AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) owner) THEN
		RAISE EXCEPTION 'schema "inventree_perms" is owned by role %, not by you or a superuser',
			owner::pg_catalog.regrole
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Whoever owns the schema could put objects of its own under the names the extension''s functions use.',
				  HINT = 'Drop that schema, or ALTER SCHEMA inventree_perms OWNER TO a superuser, then run the command again.';
	END IF;
	IF others IS NOT NULL THEN
		RAISE EXCEPTION 'other roles may create objects in schema "inventree_perms": %', others
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'They could put objects of their own under the names the extension''s functions use.',
				  HINT = 'REVOKE CREATE ON SCHEMA inventree_perms FROM them, then run the command again.';
	END IF;
END;
$$;

-- An update (this part also opens the upgrade script) runs statements on the
-- extension's tables as the superuser who updates: nothing another role put
-- on them -- a trigger, rule, policy, index, default or check that calls a
-- function, or a column type -- that is not the extension's own may be there.
DO $$
DECLARE
	ext pg_catalog.oid := (SELECT e.oid FROM pg_catalog.pg_extension e
							WHERE e.extname OPERATOR(pg_catalog.=) 'inventree_perms');
	foreign_objects text;
BEGIN
	WITH members AS (
		SELECT d.classid, d.objid FROM pg_catalog.pg_depend d
		 WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
		   AND d.refobjid OPERATOR(pg_catalog.=) ext AND d.deptype OPERATOR(pg_catalog.=) 'e'
	), tabs AS (
		SELECT m.objid AS oid FROM members m
		 WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
	), attached AS (	-- what hangs on a table of the extension, and the tables themselves
		SELECT d.classid, d.objid FROM pg_catalog.pg_depend d
		 WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
		   AND d.refobjid IN (SELECT t.oid FROM tabs t)
		   AND d.classid OPERATOR(pg_catalog.<>) 'pg_catalog.pg_type'::pg_catalog.regclass
		UNION
		SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, t.oid FROM tabs t
	), uses AS (
		SELECT a.classid, a.objid, f.refclassid, f.refobjid
		  FROM attached a
		  JOIN pg_catalog.pg_depend f ON f.classid OPERATOR(pg_catalog.=) a.classid
									AND f.objid OPERATOR(pg_catalog.=) a.objid
	)
	SELECT pg_catalog.string_agg(DISTINCT pg_catalog.pg_describe_object(u.classid, u.objid, 0), ', ')
	  INTO foreign_objects
	  FROM uses u
	 WHERE u.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_policy'::pg_catalog.regclass
		OR (u.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
			AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite w	-- a view's own rule is the view
							 WHERE w.oid OPERATOR(pg_catalog.=) u.objid
							   AND w.rulename OPERATOR(pg_catalog.=) '_RETURN'))
		OR (u.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
			AND u.refobjid NOT IN (SELECT m.objid FROM members m)
			AND (SELECT p.pronamespace FROM pg_catalog.pg_proc p WHERE p.oid OPERATOR(pg_catalog.=) u.refobjid)
				OPERATOR(pg_catalog.<>) 'pg_catalog'::pg_catalog.regnamespace)
		OR (u.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
			AND (SELECT y.typnamespace FROM pg_catalog.pg_type y WHERE y.oid OPERATOR(pg_catalog.=) u.refobjid)
				NOT IN ('pg_catalog'::pg_catalog.regnamespace)
			AND (SELECT y.typrelid FROM pg_catalog.pg_type y WHERE y.oid OPERATOR(pg_catalog.=) u.refobjid)
				NOT IN (SELECT t.oid FROM tabs t));
	IF foreign_objects IS NOT NULL THEN
		RAISE EXCEPTION 'the tables of inventree_perms hold objects the extension did not make: %', foreign_objects
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'They would run with the rights of the superuser who updates the extension.',
				  HINT = 'Drop them (or check who made them), then run ALTER EXTENSION inventree_perms UPDATE again.';
	END IF;
END;
$$;

CREATE SCHEMA inventree_perms_internal;
COMMENT ON SCHEMA inventree_perms_internal IS
	'Internal to the extension inventree_perms: implementations, helpers and trigger functions; not an API';

-- What every session's cache listens for.  A write to the extension's
-- tables queues a relcache invalidation of this table (_invalidate, a
-- statement trigger), not of the table written: every session drops its
-- cached answers at its next statement, and nothing else happens there.  An
-- invalidation of a table that queries and functions read (users,
-- user_perms, ...) would also make every session re-plan every statement
-- that reads it, so that Django writes for different users, each planned
-- anew by all the others, would slow each other down.
CREATE TABLE inventree_perms_internal.cache_sentinel ();
COMMENT ON TABLE inventree_perms_internal.cache_sentinel IS
	'Internal: empty and never read or written.  A change to the extension''s data queues a relcache '
	'invalidation of this table (_invalidate); every session''s permission cache listens for it '
	'and drops its answers, without the re-planning an invalidation of the changed table would cause';

CREATE FUNCTION inventree_perms_internal._guard_members()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ext record;
	bad text;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger_ddl_commands() c WHERE NOT c.in_extension) THEN
		RETURN;
	END IF;
	SELECT e.oid, e.extowner, e.extnamespace INTO ext
	  FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'inventree_perms';
	IF NOT FOUND THEN
		RETURN;
	END IF;
	WITH members AS (
		SELECT d.classid, d.objid FROM pg_catalog.pg_depend d
		 WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
		   AND d.refobjid OPERATOR(pg_catalog.=) ext.oid AND d.deptype OPERATOR(pg_catalog.=) 'e'
	), ours AS (	-- the two schemas
		SELECT n.oid, n.nspname, n.nspowner, n.nspacl, n.oid OPERATOR(pg_catalog.=) ext.extnamespace AS api
		  FROM pg_catalog.pg_namespace n
		 WHERE n.oid OPERATOR(pg_catalog.=) ext.extnamespace
			OR n.oid IN (SELECT m.objid FROM members m
						  WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass)
	), cmd AS (
		SELECT c.classid, c.objid, c.command_tag, c.object_type
		  FROM pg_catalog.pg_event_trigger_ddl_commands() c WHERE NOT c.in_extension
	), wrong AS (
		-- a schema of ours renamed, given away, or opened to CREATE
		SELECT pg_catalog.format('schema %I', s.nspname) AS what
		  FROM ours s
		 WHERE (EXISTS (SELECT 1 FROM cmd WHERE cmd.objid OPERATOR(pg_catalog.=) s.oid
						   AND cmd.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass)
				OR EXISTS (SELECT 1 FROM cmd WHERE cmd.command_tag IN ('GRANT', 'REVOKE')
							  AND cmd.object_type OPERATOR(pg_catalog.=) 'SCHEMA'))
		   AND (s.nspname OPERATOR(pg_catalog.<>) CASE WHEN s.api THEN 'inventree_perms'
													   ELSE 'inventree_perms_internal' END
				OR s.nspowner OPERATOR(pg_catalog.<>) 10
				OR EXISTS (SELECT 1 FROM pg_catalog.aclexplode(s.nspacl) a
						   WHERE a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
							 AND a.grantee OPERATOR(pg_catalog.<>) s.nspowner))
		UNION ALL
		-- a function created in, or changed in or moved into, one of them,
		-- or a function of the extension changed
		SELECT pg_catalog.format('function %s', p.oid::pg_catalog.regprocedure)
		  FROM cmd JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) cmd.objid
		 WHERE cmd.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
		   AND (p.pronamespace IN (SELECT s.oid FROM ours s)
				OR p.oid IN (SELECT m.objid FROM members m
							  WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass))
		UNION ALL
		-- after ALTER EXTENSION ... ADD / DROP: a function in them that is
		-- not the extension's
		SELECT pg_catalog.format('function %s', p.oid::pg_catalog.regprocedure)
		  FROM pg_catalog.pg_proc p
		 WHERE EXISTS (SELECT 1 FROM cmd WHERE cmd.command_tag OPERATOR(pg_catalog.=) 'ALTER EXTENSION')
		   AND p.pronamespace IN (SELECT s.oid FROM ours s)
		   AND p.oid NOT IN (SELECT m.objid FROM members m
							  WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass)
		UNION ALL
		-- a table, sequence or view of the extension altered, or given an
		-- index, trigger, rule or policy (what a superuser writing or
		-- restoring its rows would run)
		SELECT pg_catalog.format('table %s', r.oid::pg_catalog.regclass)
		  FROM cmd
		  JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) CASE cmd.classid
				WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN
					coalesce((SELECT i.indrelid FROM pg_catalog.pg_index i
							   WHERE i.indexrelid OPERATOR(pg_catalog.=) cmd.objid), cmd.objid)
				WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN
					(SELECT t.tgrelid FROM pg_catalog.pg_trigger t WHERE t.oid OPERATOR(pg_catalog.=) cmd.objid)
				WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN
					(SELECT w.ev_class FROM pg_catalog.pg_rewrite w WHERE w.oid OPERATOR(pg_catalog.=) cmd.objid)
				WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN
					(SELECT y.polrelid FROM pg_catalog.pg_policy y WHERE y.oid OPERATOR(pg_catalog.=) cmd.objid)
				END
		 WHERE r.oid IN (SELECT m.objid FROM members m
						  WHERE m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass)
	)
	SELECT pg_catalog.string_agg(DISTINCT w.what, ', ') INTO bad FROM wrong w;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'permission denied to change %', bad
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'The schemas inventree_perms and inventree_perms_internal, the functions in them and the extension''s tables change only by the extension''s own scripts: their owner stays the bootstrap superuser, nobody else creates in them, and nothing is added that another role''s rights would run.',
				  HINT = 'Use ALTER EXTENSION inventree_perms UPDATE, or DROP EXTENSION and CREATE EXTENSION.';
	END IF;
END;
$$;
COMMENT ON FUNCTION inventree_perms_internal._guard_members() IS
	'Internal event trigger: outside the extension''s scripts, refuses (42501), even to superusers, renaming or giving away the schemas inventree_perms and inventree_perms_internal or opening them to CREATE, creating or changing a function in them or a function of the extension, and altering a table of the extension or giving it an index, trigger, rule or policy';
CREATE EVENT TRIGGER inventree_perms_guard_members ON ddl_command_end
	WHEN TAG IN ('ALTER SCHEMA', 'GRANT', 'REVOKE', 'CREATE FUNCTION', 'ALTER FUNCTION',
				 'CREATE PROCEDURE', 'ALTER PROCEDURE', 'ALTER ROUTINE', 'CREATE AGGREGATE',
				 'ALTER AGGREGATE', 'ALTER EXTENSION', 'ALTER TABLE', 'ALTER SEQUENCE', 'ALTER VIEW',
				 'CREATE INDEX', 'ALTER INDEX', 'CREATE TRIGGER', 'ALTER TRIGGER', 'CREATE RULE',
				 'CREATE POLICY', 'ALTER POLICY')
	EXECUTE FUNCTION inventree_perms_internal._guard_members();

