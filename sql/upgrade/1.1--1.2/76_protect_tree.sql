-- ---------------------------------------------------------------------------
-- Protected tables, 1.1 -> 1.2 (after the row scopes part, whose functions
-- protect() now uses).
-- ---------------------------------------------------------------------------

-- Tables protected by 1.1: their partitions and children (which 1.1 left
-- unprotected) get the same protection now, and 1.1's FOR ALL admit-all
-- policy inventree_perms_permissive becomes the per-command ones, on the
-- commands no permissive policy of the table's own applies to.
DO $$
DECLARE
	p record;
BEGIN
	PERFORM inventree_perms_internal._protect_purge();
	FOR p IN
		SELECT x.relation, x.model FROM inventree_perms.protected x
		 WHERE x.root OPERATOR(pg_catalog.=) x.relation
		 ORDER BY x.relation::pg_catalog.oid
	LOOP
		BEGIN
			PERFORM inventree_perms_internal._protect_tree(p.relation, p.relation, p.model);
		EXCEPTION WHEN duplicate_object OR object_not_in_prerequisite_state THEN
			-- a partition or child protected by a model of its own, or one
			-- with another parent not protected by the model: both stay as
			-- they are (as 1.1 left them), said so
			RAISE WARNING '%', SQLERRM USING DETAIL = 'inventree_perms 1.2 leaves this table''s partitions and children as they are.';
		END;
	END LOOP;
	FOR p IN
		SELECT x.relation FROM inventree_perms.protected x ORDER BY x.relation::pg_catalog.oid
	LOOP
		IF inventree_perms_internal._protect_lock(p.relation::pg_catalog.oid) THEN
			PERFORM inventree_perms_internal._protect_reconcile(p.relation, 'both', false);
		END IF;
	END LOOP;
END;
$$;
