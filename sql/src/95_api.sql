-- ---------------------------------------------------------------------------
-- What each schema shows and to whom.  This part is also the last part of
-- the upgrade script (sql/upgrade/1.1--1.2/99_api.sql is a link to it), so
-- that an updated extension ends exactly as a fresh one.
--
-- Privileges: nothing for PUBLIC on the tables; the internal schema and its
-- functions closed to PUBLIC (its functions run as the extension's owner, or
-- are called from C by OID); the API's functions for everybody (they check).
-- ---------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA inventree_perms FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA inventree_perms FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA inventree_perms_internal FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA inventree_perms FROM PUBLIC;
REVOKE ALL ON SCHEMA inventree_perms_internal FROM PUBLIC;
GRANT USAGE ON SCHEMA inventree_perms TO PUBLIC;
GRANT SELECT ON inventree_perms.my_permissions TO PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA inventree_perms TO PUBLIC;

COMMENT ON SEQUENCE inventree_perms.audit_log_id_seq IS
	'Numbers the rows of audit_log (its id column); only the extension''s functions draw from it';

-- Each management function's implementation says whose it is.
DO $$
DECLARE
	f record;
BEGIN
	FOR f IN
		SELECT i.oid::pg_catalog.regprocedure AS impl,
			   pg_catalog.format('inventree_perms.%s(%s)', a.proname,
								 pg_catalog.pg_get_function_identity_arguments(a.oid)) AS api
		  FROM pg_catalog.pg_proc i
		  JOIN pg_catalog.pg_proc a
		    ON a.pronamespace OPERATOR(pg_catalog.=) 'inventree_perms'::pg_catalog.regnamespace
		   AND i.proname OPERATOR(pg_catalog.=) ('_' OPERATOR(pg_catalog.||) a.proname)
		   AND i.proargtypes OPERATOR(pg_catalog.=) a.proargtypes
		 WHERE i.pronamespace OPERATOR(pg_catalog.=) 'inventree_perms_internal'::pg_catalog.regnamespace
	LOOP
		EXECUTE pg_catalog.format('COMMENT ON FUNCTION %s IS %L', f.impl, pg_catalog.format(
			'Internal: the implementation of %s, called only by that function''s C gate once it has '
			'checked the caller (42501) and refused NULL arguments (22004); takes, returns and raises '
			'what that function does.  SECURITY DEFINER; PUBLIC may not execute it.', f.api));
	END LOOP;
END;
$$;
