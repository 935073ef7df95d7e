-- ---------------------------------------------------------------------------
-- Cache invalidation, 1.1 -> 1.2: once per statement, not per row (as in
-- sql/src/90_final.sql).  A statement writing many rows of a table (an
-- import) no longer rebuilds the table's relcache entry, and re-plans what
-- depends on it, once per row.  The row trigger stays for replica mode only
-- (logical replication's apply worker fires row triggers only).
-- ---------------------------------------------------------------------------
DO $$
DECLARE
	t name;
BEGIN
	FOR t IN
		SELECT c.relname FROM pg_catalog.pg_trigger tg
		JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid
		WHERE c.relnamespace OPERATOR(pg_catalog.=) 'inventree_perms'::pg_catalog.regnamespace
		  AND tg.tgname OPERATOR(pg_catalog.=) 'inventree_perms_invalidate'
		  AND (tg.tgtype::integer OPERATOR(pg_catalog.&) 1) OPERATOR(pg_catalog.=) 1	-- FOR EACH ROW
		ORDER BY 1
	LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER inventree_perms_invalidate ON inventree_perms.%I', t);
		EXECUTE pg_catalog.format(
			'CREATE TRIGGER inventree_perms_invalidate'
			' AFTER INSERT OR UPDATE OR DELETE ON inventree_perms.%I'
			' FOR EACH STATEMENT EXECUTE FUNCTION inventree_perms_internal._invalidate()', t);
		EXECUTE pg_catalog.format(
			'ALTER TABLE inventree_perms.%I ENABLE ALWAYS TRIGGER inventree_perms_invalidate', t);
		EXECUTE pg_catalog.format(
			'CREATE TRIGGER inventree_perms_invalidate_row'
			' AFTER INSERT OR UPDATE OR DELETE ON inventree_perms.%I'
			' FOR EACH ROW EXECUTE FUNCTION inventree_perms_internal._invalidate()', t);
		EXECUTE pg_catalog.format(
			'ALTER TABLE inventree_perms.%I ENABLE REPLICA TRIGGER inventree_perms_invalidate_row', t);
	END LOOP;
END;
$$;
