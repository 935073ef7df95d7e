-- ---------------------------------------------------------------------------
-- The internal schema (sql/src/05_schema.sql): 1.1 kept its implementations,
-- helpers and trigger functions ("_<name>") beside the API in inventree_perms.
-- They move (to the schema 04_schema.sql made), with their privileges and everything that refers to them by
-- OID (gates, triggers, event triggers, policies), to inventree_perms_internal.
-- A body names the functions it calls (PL/pgSQL and SQL resolve them when
-- they run), so every body of 1.1 that names one is rewritten for the new
-- schema; the parts after this one then replace what 1.2 changes.
-- ---------------------------------------------------------------------------

DO $$
DECLARE
	f record;
BEGIN
	FOR f IN
		SELECT p.oid, p.pronamespace OPERATOR(pg_catalog.=) 'inventree_perms'::pg_catalog.regnamespace
					  AND p.proname OPERATOR(pg_catalog.~) '^_' AS internal
		  FROM pg_catalog.pg_proc p
		  JOIN pg_catalog.pg_depend d
		    ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
		   AND d.objid OPERATOR(pg_catalog.=) p.oid
		   AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
		   AND d.deptype OPERATOR(pg_catalog.=) 'e'
		  JOIN pg_catalog.pg_extension e
		    ON e.oid OPERATOR(pg_catalog.=) d.refobjid
		   AND e.extname OPERATOR(pg_catalog.=) 'inventree_perms'
	LOOP
		IF f.internal THEN
			EXECUTE pg_catalog.format('ALTER FUNCTION %s SET SCHEMA inventree_perms_internal',
									  f.oid::pg_catalog.regprocedure);
		END IF;
		-- (a body is text, resolved when it runs: the order of the two steps
		-- does not matter)
		IF pg_catalog.strpos((SELECT p.prosrc FROM pg_catalog.pg_proc p WHERE p.oid OPERATOR(pg_catalog.=) f.oid),
							 'inventree_perms._') OPERATOR(pg_catalog.>) 0 THEN
			EXECUTE pg_catalog.replace(pg_catalog.pg_get_functiondef(f.oid), 'inventree_perms._',
									   'inventree_perms_internal._');
		END IF;
	END LOOP;
END;
$$;
